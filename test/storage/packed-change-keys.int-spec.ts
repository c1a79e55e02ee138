import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/storage/data-source-options';
import { MIGRATIONS } from 'src/storage/migrations';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';

/**
 * migrations/1765600000000-packed-change-keys.ts on a database whose change feed already holds batches: their info
 * hashes are packed in the order of their user ids, and undoing the migration gives the arrays back.
 */
describe('migration PackedChangeKeys', () => {
  let database: TempDatabase;

  beforeAll(async () => {
    database = await createTempDatabase('packed_keys');
  });

  afterAll(async () => {
    await database.drop();
  });

  const connect = async (migrations: typeof MIGRATIONS): Promise<DataSource> => {
    const dataSource = new DataSource({ ...dataSourceOptions(database.url), migrations, logging: false });
    return dataSource.initialize();
  };

  it('packs the info hashes of existing batches in order, and unpacks them when reverted', async () => {
    const before = await connect(MIGRATIONS.slice(0, -1));
    await before.runMigrations({ transaction: 'each' });
    const hashes = [randomBytes(20).toString('hex'), randomBytes(20).toString('hex'), randomBytes(20).toString('hex')];
    await before.query(
      `INSERT INTO change_batches (seq, user_ids, info_hashes, entries) VALUES
         (1, '{7,3,7}', $1::char(40)[], 3), (2, '{}', '{}', 0)`,
      [`{${hashes.join(',')}}`],
    );
    await before.destroy();

    const after = await connect(MIGRATIONS);
    try {
      expect(await after.runMigrations({ transaction: 'each' })).toHaveLength(1);
      const rows: { seq: string; user_ids: number[]; packed: string }[] = await after.query(
        `SELECT seq, user_ids, encode(packed_info_hashes, 'hex') AS packed FROM change_batches ORDER BY seq`,
      );
      expect(rows).toEqual([
        { seq: '1', user_ids: [7, 3, 7], packed: hashes.join('') },
        { seq: '2', user_ids: [], packed: '' },
      ]);

      await after.undoLastMigration({ transaction: 'each' });
      const reverted: { info_hashes: string }[] = await after.query(
        `SELECT array_to_string(info_hashes, ',') AS info_hashes FROM change_batches ORDER BY seq`,
      );
      expect(reverted.map((row) => row.info_hashes)).toEqual([hashes.join(','), '']);
    } finally {
      await after.destroy();
    }
  });
});
