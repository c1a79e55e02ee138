import type { AnnounceContext } from 'src/announce/announce-lookup.step';

/**
 * One rule of announce, run after the lookup step has resolved the user and torrent and before the PeerStore is
 * written. `check` may:
 * - refuse: throw an AnnounceFailure (its code, sentence and `retry in` are answered; nothing is changed);
 * - warn: `addWarning(context, '…')`, answered as BEP 3's `warning message` beside a normal answer;
 * - change what is credited: `context.credit.uploadFactor` / `downloadFactor` (CONTRACT §4's factors, already
 *   computed; the store floors delta × factor);
 * - flag: `addFlag(context, 'kind')`, a cheat flag the store records with the announce's evidence and the flush
 *   writes to cheat_flags exactly once (CHEAT_POLICY applies: withhold credits nothing for a flagged announce).
 * Any other throw refuses that one announce with a generic failure and is logged with the step's name.
 *
 * The peer's previous state is not in the context: the PeerStore reads and writes it in one atomic step (a Lua
 * script on Redis), and reading it beforehand would cost every announce a second round trip.
 *
 * Return nothing, or a promise only when the step must wait (a cache miss): synchronous steps cost no tick.
 */
export interface AnnouncePolicyStep {
  check(context: AnnounceContext): void | Promise<void>;
}

const FLAG_KIND = /^[a-z0-9_]{1,64}$/;

/** Raises a cheat flag of `kind` (lowercase letters, digits and `_`, as the store's own kinds) on this announce. */
export function addFlag(context: AnnounceContext, kind: string): void {
  if (!FLAG_KIND.test(kind)) {
    throw new Error(`A cheat flag kind is 1 to 64 of [a-z0-9_]: ${kind}`);
  }
  (context.flags ??= []).push(kind);
}

/** Adds a sentence to the announce's `warning message` (steps' warnings are joined by a space, in order). */
export function addWarning(context: AnnounceContext, message: string): void {
  context.warning = context.warning === undefined ? message : `${context.warning} ${message}`;
}
