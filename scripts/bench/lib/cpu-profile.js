'use strict';
// Reads a V8 .cpuprofile (node --cpu-prof) and ranks self time by function and by package, over a time window.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Self time per function and per package; idle time is counted apart. */
function summarizeProfile(file, top = 20) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map();
  const byPackage = new Map();
  let busyUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample stands for the time until the next one.
    const weight = profile.timeDeltas[i + 1] ?? 0;
    const frame = frames.get(profile.samples[i]);
    if (frame.functionName === '(idle)') {
      idleUs += weight;
      continue;
    }
    busyUs += weight;
    add(byFunction, functionLabel(frame), weight);
    add(byPackage, packageLabel(frame), weight);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => ({ label, ms: us / 1000, percent: busyUs ? (100 * us) / busyUs : 0 }));
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: rank(byFunction), packages: rank(byPackage) };
}

function add(map, key, value) {
  map.set(key, (map.get(key) ?? 0) + value);
}

function shortUrl(url) {
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith(ROOT + '/') ? file.slice(ROOT.length + 1) : file;
}

function functionLabel(frame) {
  const name = frame.functionName || '(anonymous)';
  return frame.url ? `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name;
}

function packageLabel(frame) {
  const url = shortUrl(frame.url);
  if (!url) {
    return frame.functionName.startsWith('(') ? frame.functionName : '(native / V8 builtins)';
  }
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) {
    return inModules[1];
  }
  if (url.startsWith('node:')) {
    return 'node core';
  }
  if (url.startsWith('dist/')) {
    return `tracker ${url.slice('dist/'.length).replace(/\.js$/, '')}`;
  }
  return url;
}

module.exports = { summarizeProfile };
