// `npm start` builds first when dist/ is missing or older than the sources, so a fresh clone needs only `npm ci && npm start`.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist/src/main.js');

/** The newest mtime of the files under `dir` that `keep` accepts (0 when none). */
function newestMtime(dir, keep) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full, keep) : keep(entry.name) ? fs.statSync(full).mtimeMs : 0;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

// Only what the build compiles counts (not a README or a spec beside the code), against the newest file the build
// wrote: an incremental build rewrites only the outputs of changed sources, so main.js alone may stay older.
const compiled = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts');
const builtAt = fs.existsSync(entry) ? newestMtime(path.join(root, 'dist'), (name) => name.endsWith('.js')) : 0;
const sourcesAt = Math.max(
  newestMtime(path.join(root, 'src'), compiled),
  newestMtime(path.join(root, 'migrations'), compiled),
);
if (sourcesAt > builtAt) {
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}
