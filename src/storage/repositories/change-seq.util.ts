import type { EntityManager } from 'typeorm';

/**
 * Advisory lock key of the change feed. Flush transactions hold it shared from taking their sequence number to
 * their commit; the feed takes it exclusively for an instant to read the sequence, so every number it then
 * answers up to belongs to a committed transaction (numbers are taken in one order and committed in another).
 */
export const CHANGE_FEED_LOCK = 0x7c4a_f33d;

/**
 * Takes the next change-feed sequence number for this transaction, and records when, for the retention.
 * A string: pg answers bigint as text.
 */
export async function nextChangeSeq(manager: EntityManager): Promise<string> {
  const rows: { seq: string }[] = await manager.query(
    `WITH locked AS (SELECT pg_advisory_xact_lock_shared($1))
     INSERT INTO change_batches (seq) SELECT nextval('change_seq') FROM locked RETURNING seq`,
    [CHANGE_FEED_LOCK],
  );
  return rows[0].seq;
}
