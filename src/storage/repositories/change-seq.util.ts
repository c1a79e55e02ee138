import type { EntityManager } from 'typeorm';

/**
 * Advisory lock key of the change feed. Flush transactions hold it shared from taking their sequence number to
 * their commit; the feed takes it exclusively for an instant to read the sequence, so every number it then
 * answers up to belongs to a committed transaction (numbers are taken in one order and committed in another).
 */
export const CHANGE_FEED_LOCK = 0x7c4a_f33d;

/** The history keys a flushed batch wrote, as the literals the flush already sent. */
export interface ChangedKeys {
  /** pgArray() of the user ids. */
  userIds: string;
  /** pgArray() of the info hashes (hex). */
  infoHashes: string;
  /** The info hashes in the order of userIds, concatenated (hex): stored packed, 20 bytes each. */
  packedInfoHashes: string;
  count: number;
}

/**
 * Records a flushed batch in the change feed, in its transaction: the next sequence number, when it was taken (for
 * the retention) and the (user, torrent) keys the batch wrote, whose users are the users it credited.
 */
export async function recordChangeBatch(manager: EntityManager, keys: ChangedKeys): Promise<void> {
  await manager.query(
    `WITH locked AS (SELECT pg_advisory_xact_lock_shared($1))
     INSERT INTO change_batches (seq, user_ids, packed_info_hashes, entries)
     SELECT nextval('change_seq'), $2::integer[], decode($3, 'hex'), $4 FROM locked`,
    [CHANGE_FEED_LOCK, keys.userIds, keys.packedInfoHashes, keys.count],
  );
}
