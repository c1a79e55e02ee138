/** A small swarm's live members as the announce script last sent them whole (announce.lua.ts). */
export interface KeptSwarm {
  /** The swarm's membership version they belong to; the script says whether it is still the current one. */
  readonly version: number;
  readonly complete: number;
  readonly incomplete: number;
  /** Concatenated members, as the script sends them (redis-peer.codec.ts). */
  readonly seeders: Buffer;
  readonly leechers: Buffer;
  /** Until when (ms, inclusive) the oldest member, and so every member, is still live. */
  readonly liveUntil: number;
}

/** What a kept swarm costs besides its members: the Map entry, the key, the object and its two views. */
const ENTRY_OVERHEAD_BYTES = 320;

/**
 * The members of small swarms, kept per instance so that most announces to them need neither the census nor the
 * sample from Redis: the announce script sends a kept swarm's version back, and answers with counts of -1 and no
 * members while it is still current (no peer joined, left, or changed role or address, on any instance). Until a
 * member's TTL runs out nobody leaves the live set unseen, so the kept counts stay exact; after it, the swarm is not
 * used. Bounded in bytes; the swarm kept longest ago goes first.
 *
 * Only swarms whose live members all fit in the announce's wanted count are kept and used, so every announce that is
 * answered from here gets all of them (but its own user's), as the script would have sent.
 */
export class KeptSwarms {
  private readonly swarms = new Map<string, KeptSwarm>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The kept members of `infoHash` if they can answer an announce at `now` that wants at most `want` members. */
  usable(infoHash: string, now: number, want: number): KeptSwarm | undefined {
    const kept = this.swarms.get(infoHash);
    return kept && now <= kept.liveUntil && kept.complete + kept.incomplete <= want ? kept : undefined;
  }

  keep(infoHash: string, swarm: KeptSwarm): void {
    if (this.maxBytes <= 0) {
      return;
    }
    this.forget(infoHash);
    // One allocation of its own: a view into a pooled or socket buffer would keep the whole of that alive.
    const members = Buffer.allocUnsafeSlow(swarm.seeders.length + swarm.leechers.length);
    swarm.seeders.copy(members, 0);
    swarm.leechers.copy(members, swarm.seeders.length);
    this.swarms.set(infoHash, {
      ...swarm,
      seeders: members.subarray(0, swarm.seeders.length),
      leechers: members.subarray(swarm.seeders.length),
    });
    this.bytes += sizeOf(members);
    for (const oldest of this.swarms.keys()) {
      if (this.bytes <= this.maxBytes) {
        break;
      }
      this.forget(oldest);
    }
  }

  private forget(infoHash: string): void {
    const kept = this.swarms.get(infoHash);
    if (kept) {
      this.swarms.delete(infoHash);
      this.bytes -= sizeOf(kept.seeders.buffer);
    }
  }
}

function sizeOf(members: { byteLength: number }): number {
  return members.byteLength + ENTRY_OVERHEAD_BYTES;
}
