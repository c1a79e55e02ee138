import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import type { AnnounceInput, Refusal } from 'src/announce/announce-outcome';
import type { LoggedOutcome } from 'src/diagnostics/announce-log-entry.util';

/** What the announce log keeps of an answered announce, beside its request. */
export function answeredOutcome(context: AnnounceContext): LoggedOutcome {
  return {
    result: 'ok',
    sentence: null,
    retryIn: null,
    warning: context.warning ?? null,
    policy: context.actedBy ?? null,
    wouldRefuse: context.wouldRefuse?.code ?? null,
    family: context.address.bytes.length === 4 ? 'ipv4' : 'ipv6',
  };
}

/** What it keeps of a refused one; `context` when the lookup step got that far. */
export function refusedOutcome(
  input: AnnounceInput,
  context: AnnounceContext | undefined,
  refusal: Refusal,
  policy: string | undefined,
): LoggedOutcome {
  return {
    result: refusal.code,
    sentence: refusal.sentence,
    retryIn: refusal.retryIn ?? null,
    warning: context?.warning ?? null,
    policy: policy ?? null,
    wouldRefuse: context?.wouldRefuse?.code ?? null,
    family: context ? (context.address.bytes.length === 4 ? 'ipv4' : 'ipv6') : familyOf(input.ip),
  };
}

function familyOf(ip: string | undefined): 'ipv4' | 'ipv6' | null {
  if (ip === undefined) {
    return null;
  }
  return ip.includes(':') && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? 'ipv6' : 'ipv4';
}
