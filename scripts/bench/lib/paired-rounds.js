'use strict';
// Two targets measured in the same rounds, compared round by round. This box's speed drifts by tens of percent
// within minutes, so the totals of an 8-round A/B move by several percent from one run to the next; the ratio of
// the two targets within each round cancels most of the drift, and the spread of those ratios says how far one
// run can be trusted. A target like "within 3%" is met by a run only when its interval says so.

/** Resamples of the bootstrap, and its seed: the same rounds always print the same interval. */
const RESAMPLES = 10_000;
const SEED = 20261206;

/**
 * The candidate's throughput relative to the base's, round by round: the geometric mean of the per-round ratios
 * (as a change, -0.05 for 5% slower), a 90% bootstrap interval of that mean, and the rounds the candidate won.
 */
function compareRounds(candidateRps, baseRps) {
  const logRatios = logRatiosOf(candidateRps, baseRps);
  if (logRatios.length < 2) {
    return undefined;
  }
  return summarize(logRatios, (random) => {
    let sum = 0;
    for (let i = 0; i < logRatios.length; i++) {
      sum += logRatios[Math.floor(random() * logRatios.length)];
    }
    return sum / logRatios.length;
  });
}

/**
 * Several runs of the same A/B, pooled: the geometric mean of every round's ratio, and a 90% interval from a
 * two-level bootstrap (runs drawn with replacement, then each drawn run's rounds), so that the interval also carries
 * what differs between runs: each run starts its own processes, whose luck (heap and code layout, which core each
 * lands on) one run's rounds cannot show. `runs`: [{ candidateRps, baseRps }].
 */
function compareRuns(runs) {
  const perRun = runs
    .map(({ candidateRps, baseRps }) => logRatiosOf(candidateRps, baseRps))
    .filter((ratios) => ratios.length > 0);
  if (perRun.length < 2) {
    return undefined;
  }
  const pooled = summarize(perRun.flat(), (random) => {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < perRun.length; k++) {
      const run = perRun[Math.floor(random() * perRun.length)];
      for (let i = 0; i < run.length; i++) {
        sum += run[Math.floor(random() * run.length)];
      }
      count += run.length;
    }
    return sum / count;
  });
  return { ...pooled, runs: perRun.length };
}

function logRatiosOf(candidateRps, baseRps) {
  return candidateRps.map((rps, i) => Math.log(rps / baseRps[i])).filter(Number.isFinite);
}

/**
 * The change the mean log ratio stands for (-0.05 for 5% slower), the 90% interval of the bootstrap whose resamples
 * `resampledMean(random)` draws, and the rounds won.
 */
function summarize(logRatios, resampledMean) {
  const random = mulberry32(SEED);
  const means = [];
  for (let r = 0; r < RESAMPLES; r++) {
    means.push(resampledMean(random));
  }
  means.sort((a, b) => a - b);
  const change = (logValue) => Math.exp(logValue) - 1;
  return {
    change: change(logRatios.reduce((sum, value) => sum + value, 0) / logRatios.length),
    low: change(means[Math.floor(0.05 * RESAMPLES)]),
    high: change(means[Math.ceil(0.95 * RESAMPLES) - 1]),
    won: logRatios.filter((value) => value > 0).length,
    rounds: logRatios.length,
  };
}

/** A small seeded generator (mulberry32): reproducible resamples without a dependency. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A comparison as the bench prints it: `-6.1%, 90% interval -9.0% to -3.0%, won 27 of 96`. */
function describeComparison({ change, low, high, won, rounds }) {
  const percent = (value) => `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}%`;
  return `${percent(change)}, 90% interval ${percent(low)} to ${percent(high)}, won ${won} of ${rounds}`;
}

module.exports = { compareRounds, compareRuns, describeComparison };
