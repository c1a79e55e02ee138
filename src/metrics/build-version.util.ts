import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The tracker's version, from the package.json above this file: `src/metrics` under ts-node and jest,
 * `dist/src/metrics` when built. `unknown` if it cannot be read (a copied `dist/` without its package.json).
 */
export function buildVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'private-tracker' && typeof pkg.version === 'string') {
        return pkg.version;
      }
    } catch {
      // Not here: look one folder up.
    }
    if (dirname(dir) === dir) {
      return 'unknown';
    }
  }
}
