import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'private-tracker';

/** package.json's version, found upward from here: src/common in tests, dist/src/common when built. */
function readVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) {
        return pkg.version;
      }
    }
    if (dirname(dir) === dir) {
      return 'unknown';
    }
  }
}

/** The running build's version (semantic versioning, see CHANGELOG.md). */
export const APP_VERSION = readVersion();
