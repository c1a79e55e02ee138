import { execFileSync } from 'node:child_process';

export interface PosixIds {
  uid: number;
  gid: number;
}

/** The `postgres` account the server runs as when we are root; undefined if missing. */
export function postgresUserIds(): PosixIds | undefined {
  try {
    const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so root runs it as `postgres`: the account Debian's postgresql package
 * creates, or a system account without a home or a login shell, created here on first start.
 */
export function ensurePostgresUser(logger: { warn(msg: string): void }): PosixIds {
  const existing = postgresUserIds();
  if (existing) {
    return existing;
  }
  logger.warn('Running as root without a postgres user: creating the system account `postgres` to run the database');
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
      ].concat('postgres'),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error(`Cannot create the postgres user (useradd): ${(error as Error).message}`, { cause: error });
  }
  const created = postgresUserIds();
  if (!created) {
    throw new Error('useradd succeeded but `id postgres` finds no such user');
  }
  return created;
}
