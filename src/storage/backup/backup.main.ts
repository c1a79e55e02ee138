import 'reflect-metadata';
import { resolve } from 'node:path';
import { openBackupTarget } from 'src/storage/backup/backup-target';
import { backupDatabase } from 'src/storage/backup/database-backup';

/** `npm run backup -- <file>`: see README, "Backup and restore". */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    throw new Error('usage: npm run backup -- <file.jsonl.gz>');
  }
  const target = await openBackupTarget();
  try {
    const { rows } = await backupDatabase(target.url, resolve(file));
    console.log(`Backed up to ${resolve(file)}: ${JSON.stringify(rows)}`);
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
