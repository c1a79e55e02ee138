'use strict';
// Runs wrk with announce.lua and reads the RESULT line its done() prints.
const path = require('node:path');
const { run } = require('./processes');

const SCRIPT = path.join(__dirname, '..', 'announce.lua');

/**
 * One wrk run against `url`. `pool` names the torrents and passkeys files announce.lua reads. Resolves with the
 * parsed figures (requests, rps, p50_ms, p99_ms, failures, non200, errors_*) and wrk's own output.
 */
async function runWrk({ url, seconds, connections, threads, pool, peers, close = false }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s', '-s', SCRIPT, url];
  const env = {
    ...process.env,
    BENCH_TORRENTS: pool.torrentsFile,
    BENCH_PASSKEYS: pool.passkeysFile,
    BENCH_CLOSE: close ? '1' : '0',
    BENCH_PEERS: String(peers),
    BENCH_THREADS: String(threads),
  };
  const { code, signal, stdout, stderr } = await run('wrk', args, { env, timeoutMs: (seconds + 30) * 1000 });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (code !== 0 || !line) {
    throw new Error(`wrk ${args.join(' ')} exited with ${code ?? signal}:\n${stdout}\n${stderr}`.trimEnd());
  }
  const figures = {};
  for (const pair of line.slice('RESULT '.length).trim().split(' ')) {
    const [key, value] = pair.split('=');
    figures[key] = Number(value);
  }
  return { ...figures, output: stdout, samples: stderr.trim() };
}

module.exports = { runWrk };
