'use strict';
// Inclusive CPU time per announce of each function in two V8 profiles (`npm run bench -- --profile` writes one per
// target), side by side and ranked by the difference: where an A/B's extra Node time goes, callees included. A
// function counts once per sample however often it recurs on the stack. Usage:
//   node scripts/bench/profile-diff.js <a.cpuprofile> <announces in a> <b.cpuprofile> <announces in b> [rows=60] [--self]
// The announces of a profiled round: its busy ms × 1000 ÷ its µs per announce, both printed by the bench.
// --self ranks self time instead, by function name and file name without its folder or line, so that two checkouts
// whose files moved line up, and prints the totals: inclusive times move with the call structure (a step that became
// synchronous takes its callees' time into its caller's), self times do not.
const fs = require('node:fs');

/** A profile's samples outside idle time, each with its node and weight, and the call tree to walk up from it. */
function busySamples(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }
  const samples = [];
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    if (node.callFrame.functionName !== '(idle)') {
      // A sample stands for the time until the next one.
      samples.push({ node, weight: profile.timeDeltas[i + 1] ?? 0 });
    }
  }
  return { nodes, parents, samples };
}

function inclusiveTimes(file) {
  const { nodes, parents, samples } = busySamples(file);
  const times = new Map();
  for (const { node, weight } of samples) {
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parents.get(id)) {
      const label = labelOf(nodes.get(id).callFrame);
      if (!seen.has(label)) {
        seen.add(label);
        times.set(label, (times.get(label) ?? 0) + weight);
      }
    }
  }
  return times;
}

function selfTimes(file) {
  const times = new Map();
  for (const { node, weight } of busySamples(file).samples) {
    const { functionName, url } = node.callFrame;
    const label = `${functionName || '(anonymous)'} ${url.split('/').pop()}`.trim();
    times.set(label, (times.get(label) ?? 0) + weight);
  }
  return times;
}

function labelOf({ functionName, url, lineNumber }) {
  const where = url.replace(/.*\/(dist|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
}

function main() {
  const self = process.argv.includes('--self');
  const [fileA, announcesA, fileB, announcesB, rows = '60'] = process.argv.slice(2).filter((arg) => arg !== '--self');
  if (!fileB) {
    console.error('usage: profile-diff.js <a.cpuprofile> <announces> <b.cpuprofile> <announces> [rows] [--self]');
    process.exit(2);
  }
  const times = self ? selfTimes : inclusiveTimes;
  const a = times(fileA);
  const b = times(fileB);
  const ranked = [...new Set([...a.keys(), ...b.keys()])]
    .map((label) => {
      const usA = (a.get(label) ?? 0) / Number(announcesA);
      const usB = (b.get(label) ?? 0) / Number(announcesB);
      return { label, usA, usB, delta: usB - usA };
    })
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
    .slice(0, Number(rows));
  console.log(`  µs a    µs b   delta  function (${self ? 'self' : 'inclusive'} µs per announce)`);
  if (self) {
    const total = (map, announces) => [...map.values()].reduce((sum, t) => sum + t, 0) / Number(announces);
    const [usA, usB] = [total(a, announcesA), total(b, announcesB)];
    console.log(
      `${usA.toFixed(1).padStart(6)}  ${usB.toFixed(1).padStart(6)}  ${(usB - usA).toFixed(1).padStart(6)}  (all)`,
    );
  }
  for (const { label, usA, usB, delta } of ranked) {
    console.log(
      `${usA.toFixed(2).padStart(6)}  ${usB.toFixed(2).padStart(6)}  ${delta.toFixed(2).padStart(6)}  ${label}`,
    );
  }
}

main();
