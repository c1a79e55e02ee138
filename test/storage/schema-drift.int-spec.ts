import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/storage/data-source-options';
import { runMigrationsLocked } from 'src/storage/migration-runner';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';

/**
 * The hand-written migrations and the entities describe the same schema: after the migrations, TypeORM finds
 * nothing to change, so `npm run migration:generate` proposes only what a developer changed in an entity.
 */
describe('migrations and entities', () => {
  let database: TempDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTempDatabase('drift');
    dataSource = new DataSource({ ...dataSourceOptions(database.url), logging: false });
    await dataSource.initialize();
    await runMigrationsLocked(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('agree: TypeORM would generate no migration', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });
});
