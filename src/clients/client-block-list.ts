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

interface CompiledRule {
  prefix: Buffer;
  /** Version bounds as azureusVersion numbers: from ≤ v < below; -1 and Infinity when absent. */
  from: number;
  below: number;
  ranged: boolean;
  /** The refusal's sentence, made once. */
  sentence: string;
}

/**
 * The block list compiled for the announce path: the entries that apply to a peer_id are found by its first three
 * bytes (`-qB`), so an announce compares against a handful of entries however long the list is, without allocating.
 *
 * An entry without a version range blocks every peer_id with its prefix. An entry with one blocks only peer_ids
 * whose Azureus-style version (client-version.util.ts) is in it; a peer_id without a readable version is not blocked
 * by a ranged entry (its version cannot be shown to be in the range).
 */
export class ClientBlockList {
  static readonly EMPTY = new ClientBlockList([]);

  /** Entries of three bytes or more, by their first three bytes. */
  private readonly byLead = new Map<number, CompiledRule[]>();
  /** Entries of one or two bytes, checked against every peer_id. */
  private readonly short: CompiledRule[] = [];
  readonly size: number;

  constructor(rules: readonly ClientBlockRule[]) {
    this.size = rules.length;
    for (const rule of rules) {
      const prefix = Buffer.from(rule.prefix, 'latin1');
      const compiled: CompiledRule = {
        prefix,
        from: rule.versionFrom === null ? -1 : parseVersion(rule.versionFrom),
        below: rule.versionBelow === null ? Infinity : parseVersion(rule.versionBelow),
        ranged: rule.versionFrom !== null || rule.versionBelow !== null,
        sentence: `Your client is blocked: ${rule.reason}`,
      };
      if (prefix.length >= 3) {
        const lead = leadOf(prefix);
        const list = this.byLead.get(lead);
        if (list) {
          list.push(compiled);
        } else {
          this.byLead.set(lead, [compiled]);
        }
      } else {
        this.short.push(compiled);
      }
    }
  }

  /** The refusal sentence of the first entry that blocks this peer_id, or null when none does. */
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

function leadOf(bytes: Buffer): number {
  return (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}

/** `version`: the peer_id's azureusVersion, -1 when it has none. */
function firstBlocking(rules: CompiledRule[], peerId: Buffer, version: number): string | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const length = rule.prefix.length;
    if (peerId.length < length || peerId.compare(rule.prefix, 0, length, 0, length) !== 0) {
      continue;
    }
    if (!rule.ranged) {
      return rule.sentence;
    }
    if (version >= 0 && version >= rule.from && version < rule.below) {
      return rule.sentence;
    }
  }
  return null;
}
