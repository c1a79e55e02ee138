// `npm start` builds first when dist/ is missing or older than the sources, so a fresh clone needs only `npm ci && npm start`.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist/src/main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const builtAt = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
const sourcesAt = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')));
if (sourcesAt > builtAt) {
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}
