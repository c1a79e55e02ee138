import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import type { AnnounceInput, Refusal } from 'src/announce/announce-outcome';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import { encodeLogEntry } from 'src/diagnostics/announce-log-entry.util';

/** The announce log's entry of an answered announce (encoded). */
export function answeredEntry(context: AnnounceContext, now: number): string {
  return encodeLogEntry(now, context.request, {
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
  return encodeLogEntry(now, input.request instanceof AnnounceFailure ? null : input.request, {
    result: refusal.code,
    sentence: refusal.sentence,
    retryIn: refusal.retryIn ?? null,
    warning: context?.warning ?? null,
    policy: policy ?? null,
    wouldRefuse: context?.wouldRefuse?.code ?? null,
    family: context ? (context.address.bytes.length === 4 ? 'ipv4' : 'ipv6') : familyOf(input.ip),
  });
}

function familyOf(ip: string | undefined): 'ipv4' | 'ipv6' | null {
  if (ip === undefined) {
    return null;
  }
  return ip.includes(':') && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? 'ipv6' : 'ipv4';
}
