'use strict';
// Pools several `npm run bench` runs of the same A/B (their JSON in bench-results/): each pair of targets the runs
// share (`redis` against `redis@base`, `memory+rules` against `memory`, …), run by run and pooled, with an interval
// from a two-level bootstrap (lib/paired-rounds.js compareRuns) that carries the luck of each run's processes, which
// one run's round-by-round interval does not. Usage:
//   node scripts/bench/pool-runs.js bench-results/bench-<a>.json bench-results/bench-<b>.json [...]
const fs = require('node:fs');
const path = require('node:path');
const { compareRounds, compareRuns, describeComparison } = require('./lib/paired-rounds');

const PAIRS = ['memory', 'redis'].flatMap((store) => [
  [store, `${store}@base`],
  [`${store}+promotions`, store],
  [`${store}+rules`, store],
]);

function main(files) {
  if (files.length < 2) {
    console.error('usage: node scripts/bench/pool-runs.js <bench json> <bench json> [...]');
    return 2;
  }
  const runs = files.map((file) => ({ file, rows: JSON.parse(fs.readFileSync(file, 'utf8')).rows }));
  for (const [candidate, base] of PAIRS) {
    const paired = runs
      .map(({ file, rows }) => {
        const ok = (store) => rows.find((row) => row.store === store && row.status === 'ok');
        const [a, b] = [ok(candidate), ok(base)];
        return a && b ? { file, candidateRps: a.roundRps, baseRps: b.roundRps } : null;
      })
      .filter((run) => run !== null);
    if (paired.length === 0) {
      continue;
    }
    console.log(`${candidate} vs ${base}:`);
    for (const run of paired) {
      const figure = compareRounds(run.candidateRps, run.baseRps);
      console.log(`  ${path.basename(run.file)}: ${figure ? describeComparison(figure) : 'too few rounds'}`);
    }
    const pooled = compareRuns(paired);
    console.log(`  pooled over ${paired.length} runs: ${pooled ? describeComparison(pooled) : 'needs two runs'}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
