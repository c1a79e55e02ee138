import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import type { AnnounceInput, Refusal } from 'src/announce/announce-outcome';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import { encodeLogEntry } from 'src/diagnostics/announce-log-entry.util';

/** The announce log's entry of an answered announce (encoded). */
export function answeredEntry(context: AnnounceContext, now: number): string {
  return encodeLogEntry({
    ...requestFields(context.request),
    time: now,
    result: 'ok',
    sentence: null,
    retryIn: null,
    warning: context.warning ?? null,
    policy: context.actedBy ?? null,
    wouldRefuse: context.wouldRefuse?.code ?? null,
    family: context.address.bytes.length === 4 ? 'ipv4' : 'ipv6',
  });
}

/** The announce log's entry of a refused one; `context` when the lookup step got that far. */
export function refusedEntry(
  input: AnnounceInput,
  context: AnnounceContext | undefined,
  refusal: Refusal,
  policy: string | undefined,
  now: number,
): string {
  const request = input.request instanceof AnnounceFailure ? null : input.request;
  return encodeLogEntry({
    ...requestFields(request),
    time: now,
    result: refusal.code,
    sentence: refusal.sentence,
    retryIn: refusal.retryIn ?? null,
    warning: context?.warning ?? null,
    policy: policy ?? null,
    wouldRefuse: context?.wouldRefuse?.code ?? null,
    family: context ? (context.address.bytes.length === 4 ? 'ipv4' : 'ipv6') : familyOf(input.ip),
  });
}

function requestFields(request: AnnounceRequest | null) {
  return {
    infoHash: request?.infoHash ?? null,
    event: request?.event ?? null,
    peerIdPrefix: request?.peerId.toString('hex', 0, 10) ?? null,
    port: request?.port ?? null,
    uploaded: request?.uploaded ?? null,
    downloaded: request?.downloaded ?? null,
    left: request?.left ?? null,
  };
}

function familyOf(ip: string | undefined): 'ipv4' | 'ipv6' | null {
  if (ip === undefined) {
    return null;
  }
  return ip.includes(':') && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? 'ipv6' : 'ipv4';
}
