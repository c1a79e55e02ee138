import type { Refusal } from 'src/announce/announce-outcome';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';

/** The bencoded body of a refused announce or scrape, with BEP 31's `retry in` when the failure has one. */
export function encodeFailureAnswer(
  failure: Pick<Refusal, 'sentence' | 'retryIn'>,
  { interval, minInterval }: { interval: number; minInterval: number },
): Buffer {
  const body: Record<string, BencodeValue> = {
    'failure reason': failure.sentence,
    interval,
    'min interval': minInterval,
  };
  if (failure.retryIn !== undefined) {
    body['retry in'] = failure.retryIn;
  }
  return bencode(body);
}
