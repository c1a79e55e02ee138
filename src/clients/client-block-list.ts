import { azureusVersion, parseVersion } from 'src/clients/client-version.util';

/** One block-list entry as stored: a peer_id prefix, an optional version range, and why. */
export interface ClientBlockRule {
  id: number;
  /** peer_id prefix (latin1), e.g. `-qB`. */
  prefix: string;
  /** Inclusive lower bound (`4.0`), or null for none. */
  versionFrom: string | null;
  /** Exclusive upper bound (`4.3`), or null for none. */
  versionBelow: string | null;
  reason: string;
}

/** The entries of one prefix: the first without a range blocks all; the ranges block their versions. */
interface PrefixRules {
  prefix: Uint8Array;
  /** The refusal sentence of the first entry without a range, or null. */
  all: string | null;
  /** Version bounds as azureusVersion numbers, from ≤ v < below (-1 and Infinity when absent), in entry order. */
  ranges: { from: number; below: number; sentence: string }[];
}

/**
 * The block list compiled for the announce path: entries are grouped by prefix, and the prefixes that may apply to a
 * peer_id are found by its first three bytes (`-qB`). An announce compares its peer_id once with each distinct prefix
 * of its bucket (a byte loop: Buffer.compare's native call costs more than the comparison), then its version with the
 * ranges of the prefixes it has, without allocating; so a hundred `-qB` ranges cost one prefix comparison and a
 * hundred number comparisons.
 *
 * An entry without a version range blocks every peer_id with its prefix. An entry with one blocks only peer_ids
 * whose Azureus-style version (client-version.util.ts) is in it; a peer_id without a readable version is not blocked
 * by a ranged entry (its version cannot be shown to be in the range).
 */
export class ClientBlockList {
  static readonly EMPTY = new ClientBlockList([]);

  /** Prefixes of three bytes or more, by their first three bytes. */
  private readonly byLead = new Map<number, PrefixRules[]>();
  /** Prefixes of one or two bytes, checked against every peer_id. */
  private readonly short: PrefixRules[] = [];
  readonly size: number;

  constructor(rules: readonly ClientBlockRule[]) {
    this.size = rules.length;
    const byPrefix = new Map<string, PrefixRules>();
    for (const rule of rules) {
      let group = byPrefix.get(rule.prefix);
      if (!group) {
        const prefix = Uint8Array.from(Buffer.from(rule.prefix, 'latin1'));
        group = { prefix, all: null, ranges: [] };
        byPrefix.set(rule.prefix, group);
        if (prefix.length >= 3) {
          const lead = leadOf(prefix);
          const bucket = this.byLead.get(lead);
          if (bucket) {
            bucket.push(group);
          } else {
            this.byLead.set(lead, [group]);
          }
        } else {
          this.short.push(group);
        }
      }
      const sentence = `Your client is blocked: ${rule.reason}`;
      if (rule.versionFrom === null && rule.versionBelow === null) {
        group.all ??= sentence;
      } else {
        group.ranges.push({
          from: rule.versionFrom === null ? -1 : parseVersion(rule.versionFrom),
          below: rule.versionBelow === null ? Infinity : parseVersion(rule.versionBelow),
          sentence,
        });
      }
    }
  }

  /** The refusal sentence of an entry that blocks this peer_id, or null when none does. */
  blocked(peerId: Buffer): string | null {
    if (this.size === 0 || peerId.length < 3) {
      return null;
    }
    const bucket = this.byLead.get(leadOf(peerId));
    if (bucket === undefined && this.short.length === 0) {
      return null;
    }
    const version = azureusVersion(peerId);
    return (bucket && firstBlocking(bucket, peerId, version)) ?? firstBlocking(this.short, peerId, version);
  }
}

function leadOf(bytes: Uint8Array): number {
  return (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}

/** `version`: the peer_id's azureusVersion, -1 when it has none. */
function firstBlocking(groups: PrefixRules[], peerId: Buffer, version: number): string | null {
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (!startsWith(peerId, group.prefix)) {
      continue;
    }
    if (group.all !== null) {
      return group.all;
    }
    if (version >= 0) {
      const ranges = group.ranges;
      for (let j = 0; j < ranges.length; j++) {
        if (version >= ranges[j].from && version < ranges[j].below) {
          return ranges[j].sentence;
        }
      }
    }
  }
  return null;
}

function startsWith(peerId: Buffer, prefix: Uint8Array): boolean {
  if (peerId.length < prefix.length) {
    return false;
  }
  for (let i = 0; i < prefix.length; i++) {
    if (peerId[i] !== prefix[i]) {
      return false;
    }
  }
  return true;
}
