import 'reflect-metadata';
import { resolve } from 'node:path';
import { migrate, openBackupTarget } from 'src/storage/backup/backup-target';
import { restoreDatabase } from 'src/storage/backup/database-backup';

/** `npm run restore -- <file>`: into a fresh DATA_DIR or an empty database; see README, "Backup and restore". */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    throw new Error('usage: npm run restore -- <file.jsonl.gz>');
  }
  const target = await openBackupTarget();
  try {
    await migrate(target.url);
    const { rows } = await restoreDatabase(target.url, resolve(file));
    console.log(`Restored ${resolve(file)}: ${JSON.stringify(rows)}`);
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  console.error(`Restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
