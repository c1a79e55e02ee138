// Makes package-lock.json complete for `npm ci` on every platform.
//
// The registry these machines reach does not serve other platforms' native binaries (@swc/core-darwin-arm64,
// @unrs/resolver-binding-win32-*, ...), so `npm install` here leaves them out of the lock, and `npm ci` then refuses
// the lock as out of sync. This adds, for every optional dependency missing from the lock, an entry with the exact
// version its parent asks for and the os/cpu its name says: npm ci skips it on any other platform without
// downloading it. Run after `npm install` whenever dependencies change.
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'wasi'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 'riscv64', 's390x', 'loong64', 'wasm32', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = OS.find((candidate) => parts.includes(candidate));
  const cpu = CPU.find((candidate) => parts.includes(candidate));
  if (!os && !cpu) {
    return null;
  }
  const entry = {};
  if (os === 'wasi' || cpu === 'wasm32') {
    entry.cpu = ['wasm32'];
    return entry;
  }
  if (os) {
    entry.os = [os];
  }
  if (cpu) {
    entry.cpu = [cpu];
  }
  if (parts.includes('musl')) {
    entry.libc = ['musl'];
  } else if (parts.includes('gnu') || parts.includes('gnueabihf')) {
    entry.libc = ['glibc'];
  }
  return entry;
}

let added = 0;
for (const [location, meta] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) {
      continue;
    }
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
      console.warn(`skipped ${name}@${spec} (needed by ${location || 'the root'}): no platform or exact version`);
      continue;
    }
    packages[`node_modules/${name}`] = {
      version: spec,
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries to package-lock.json`);
