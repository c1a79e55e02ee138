/**
 * Advisory lock key of the change feed. Flush transactions hold it shared from taking their sequence number to
 * their commit; the feed takes it exclusively for an instant to read the sequence, so every number it then
 * answers up to belongs to a committed transaction (numbers are taken in one order and committed in another).
 */
export const CHANGE_FEED_LOCK = 0x7c4a_f33d;

/**
 * Records a flushed batch in the change feed: the next sequence number, when it was taken (for the retention) and
 * the (user, torrent) keys the batch wrote, whose users are the users it credited. A data-modifying CTE for the
 * statement that writes the batch's history rows, over the arrays that statement already sends (`userIds` an
 * integer[], `infoHashes` a char(40)[] of hex in the same order, stored packed: 20 bytes each); the shared lock is
 * taken before the number and held to the commit.
 */
export function changeBatchInsert(userIds: string, infoHashes: string): string {
  return `INSERT INTO change_batches (seq, user_ids, packed_info_hashes, entries)
         SELECT nextval('change_seq'), ${userIds}, decode(array_to_string(${infoHashes}, ''), 'hex'),
                cardinality(${userIds})
         FROM (SELECT pg_advisory_xact_lock_shared(${CHANGE_FEED_LOCK})) AS locked`;
}
