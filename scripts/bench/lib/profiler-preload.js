'use strict';
// Preloaded into the tracker with `node -r` by `npm run bench -- --profile`. SIGWINCH starts the V8 CPU profiler,
// the next SIGWINCH stops it and writes BENCH_PROFILE_FILE, so the profile covers exactly the measured wrk run and
// not start-up or registration. (`--cpu-prof` cannot do that, and writes nothing when Nest's shutdown hook ends
// the process by re-raising SIGTERM.) Why SIGWINCH: Nest's shutdown hooks treat SIGUSR2 as a shutdown signal, Node
// keeps SIGUSR1 for the inspector, and a process without this preload ignores SIGWINCH.
const fs = require('node:fs');
const inspector = require('node:inspector');

const file = process.env.BENCH_PROFILE_FILE;
const session = new inspector.Session();
session.connect();
let profiling = false;

process.on('SIGWINCH', () => {
  if (!profiling) {
    profiling = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')),
    );
    return;
  }
  profiling = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      console.error(`profiler: ${error.message}`);
      return;
    }
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
    fs.renameSync(`${file}.tmp`, file);
  });
});
