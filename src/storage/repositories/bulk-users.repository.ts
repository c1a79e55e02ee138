import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { pgArray } from 'src/storage/repositories/pg-array.util';
import { isUniqueViolation } from 'src/storage/repositories/unique-violation.util';

/** One item of a bulk upsert; null fields are "not given": defaults for a new user, unchanged for an existing one. */
export interface UserUpsert {
  id: number;
  passkey: string | null;
  /** Used only when the user is new and no passkey was given. */
  generatedPasskey: string;
  enabled: boolean | null;
  canLeech: boolean | null;
  uploadMultiplier: number | null;
  downloadMultiplier: number | null;
  /** undefined: not given (no limit for a new user, unchanged for an existing one); null: no limit. */
  downloadSlots: number | null | undefined;
}

export interface UserUpsertResult {
  created: { id: number; passkey: string }[];
  /** Ids that existed: updated, or already as given. */
  existing: number[];
  /** The existing users that changed. */
  changed: { id: number; oldPasskey: string; passkey: string; disabled: boolean }[];
  /** Ids whose given passkey belongs to another user: nothing was written for them. */
  passkeyTaken: number[];
}

const bool = (value: boolean | null) => (value === null ? null : value ? 't' : 'f');
const float = (value: number | null) => (value === null ? null : String(value));
/** Download slots as the statements take them: null not given, -1 no limit . */
const slots = (value: number | null | undefined) => (value === undefined ? null : value === null ? -1 : value);

/**
 * Set-based upserts of many users in one transaction: one INSERT for the new ones and one UPDATE for the rest,
 * each over unnest()ed arrays, so 10,000 users cost a few statements rather than 10,000 round trips.
 */
@Injectable()
export class BulkUsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Items must have distinct ids and distinct given passkeys. */
  async upsert(items: UserUpsert[]): Promise<UserUpsertResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) => this.upsertOnce(manager, items));
      } catch (error) {
        // A concurrent write took one of these passkeys after the check: check again, once.
        if (!isUniqueViolation(error) || attempt >= 2) {
          throw error;
        }
      }
    }
  }

  private async upsertOnce(manager: EntityManager, items: UserUpsert[]): Promise<UserUpsertResult> {
    const given = items.filter((item) => item.passkey !== null);
    const holders: { id: number; passkey: string }[] =
      given.length === 0
        ? []
        : await manager.query(`SELECT id, passkey FROM users WHERE passkey = ANY($1::char(32)[])`, [
            pgArray(given.map((item) => item.passkey)),
          ]);
    const holderOf = new Map(holders.map((row) => [row.passkey, row.id]));
    const passkeyTaken: number[] = [];
    const writable = items.filter((item) => {
      const holder = item.passkey === null ? undefined : holderOf.get(item.passkey);
      if (holder !== undefined && holder !== item.id) {
        passkeyTaken.push(item.id);
        return false;
      }
      return true;
    });
    if (writable.length === 0) {
      return { created: [], existing: [], changed: [], passkeyTaken };
    }
    const params = [
      pgArray(writable.map((item) => item.id)),
      pgArray(writable.map((item) => item.passkey)),
      pgArray(writable.map((item) => bool(item.enabled))),
      pgArray(writable.map((item) => bool(item.canLeech))),
      pgArray(writable.map((item) => float(item.uploadMultiplier))),
      pgArray(writable.map((item) => float(item.downloadMultiplier))),
      pgArray(writable.map((item) => slots(item.downloadSlots))),
    ];
    const input = `unnest($1::integer[], $2::char(32)[], $3::boolean[], $4::boolean[], $5::float8[], $6::float8[],
                          $7::integer[])
                   AS i(id, passkey, enabled, can_leech, upload_multiplier, download_multiplier, download_slots)`;
    const created: { id: number; passkey: string }[] = await manager.query(
      `INSERT INTO users (id, passkey, enabled, can_leech, upload_multiplier, download_multiplier, download_slots)
       SELECT i.id, COALESCE(i.passkey, i.generated), COALESCE(i.enabled, true), COALESCE(i.can_leech, true),
              COALESCE(i.upload_multiplier, 1), COALESCE(i.download_multiplier, 1), NULLIF(i.download_slots, -1)
       FROM unnest($1::integer[], $2::char(32)[], $3::boolean[], $4::boolean[], $5::float8[], $6::float8[],
                   $7::integer[], $8::char(32)[])
         AS i(id, passkey, enabled, can_leech, upload_multiplier, download_multiplier, download_slots, generated)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, passkey`,
      [...params, pgArray(writable.map((item) => item.generatedPasskey))],
    );
    const createdIds = new Set(created.map((row) => row.id));
    const rest = writable.filter((item) => !createdIds.has(item.id));
    if (rest.length === 0) {
      return { created, existing: [], changed: [], passkeyTaken };
    }
    // The join reads the rows as they were before this statement: old passkeys to invalidate, bans to apply.
    // Rows already as given are left alone (an idempotent reload writes nothing) but still count as updated.
    const result: { records: { id: number; old_passkey: string; passkey: string; disabled: boolean }[] } =
      await manager.queryRunner!.query(
        `UPDATE users u SET
           passkey = COALESCE(s.passkey, u.passkey),
           enabled = COALESCE(s.enabled, u.enabled),
           can_leech = COALESCE(s.can_leech, u.can_leech),
           upload_multiplier = COALESCE(s.upload_multiplier, u.upload_multiplier),
           download_multiplier = COALESCE(s.download_multiplier, u.download_multiplier),
           download_slots = CASE WHEN s.download_slots IS NULL THEN u.download_slots
                                 ELSE NULLIF(s.download_slots, -1) END,
           updated_at = now()
         FROM (
           SELECT i.*, o.passkey AS old_passkey, o.enabled AS was_enabled
           FROM ${input} JOIN users o ON o.id = i.id
         ) s
         WHERE u.id = s.id
           AND (s.passkey <> u.passkey
             OR s.enabled <> u.enabled OR s.can_leech <> u.can_leech
             OR s.upload_multiplier <> u.upload_multiplier OR s.download_multiplier <> u.download_multiplier
             OR (s.download_slots IS NOT NULL AND NULLIF(s.download_slots, -1) IS DISTINCT FROM u.download_slots))
         RETURNING u.id, s.old_passkey, u.passkey, (s.was_enabled AND NOT u.enabled) AS disabled`,
        [
          pgArray(rest.map((item) => item.id)),
          pgArray(rest.map((item) => item.passkey)),
          pgArray(rest.map((item) => bool(item.enabled))),
          pgArray(rest.map((item) => bool(item.canLeech))),
          pgArray(rest.map((item) => float(item.uploadMultiplier))),
          pgArray(rest.map((item) => float(item.downloadMultiplier))),
          pgArray(rest.map((item) => slots(item.downloadSlots))),
        ],
        true,
      );
    const changed = result.records.map((row) => ({
      id: row.id,
      oldPasskey: row.old_passkey,
      passkey: row.passkey,
      disabled: row.disabled,
    }));
    return { created, existing: rest.map((item) => item.id), changed, passkeyTaken };
  }
}
