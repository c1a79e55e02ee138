import type { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';

/** The bencoded body of a refused announce or scrape, with BEP 31's `retry in` when the failure has one. */
export function encodeFailureAnswer(
  failure: AnnounceFailure,
  { interval, minInterval }: { interval: number; minInterval: number },
): Buffer {
  const body: Record<string, BencodeValue> = {
    'failure reason': failure.reason,
    interval,
    'min interval': minInterval,
  };
  if (failure.retryIn !== undefined) {
    body['retry in'] = failure.retryIn;
  }
  return bencode(body);
}

/** Whether a request path is an announce or a scrape (the path of `GET /<passkey>/announce?...`, any passkey). */
export function isTrackerPath(url: string): boolean {
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  return path.endsWith('/announce') || path.endsWith('/scrape');
}
