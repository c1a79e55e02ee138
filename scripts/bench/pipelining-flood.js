'use strict';
// Issue 19.3: server memory while one client pipelines non-compact numwant=100 announces and never reads the answers.
// Starts the tracker (memory store, a scratch database), fills a swarm with 100 peers of another user, floods for a
// few seconds and prints the tracker's RSS each second.
//
//   node scripts/bench/pipelining-flood.js [seconds=8] [entry=dist/src/main.js]
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..', '..');
const seconds = Number(process.argv[2] ?? 8);
const entry = path.resolve(process.argv[3] ?? path.join(ROOT, 'dist', 'src', 'main.js'));
const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = randomBytes(16).toString('hex');

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const encode = (bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

async function admin(url, method, route, body) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

async function main() {
  const database = `flood_${randomBytes(4).toString('hex')}`;
  const pg = new Client({ connectionString: ADMIN_URL });
  await pg.connect();
  await pg.query(`CREATE DATABASE "${database}"`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--max-semi-space-size=32', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_TOKEN: TOKEN,
      DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${database}`),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: 'ignore',
  });
  try {
    for (let tries = 0; ; tries++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        if (tries > 300) throw new Error('tracker did not start');
      }
      await sleep(200);
    }
    const infoHash = randomBytes(20);
    await admin(url, 'POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const filler = await admin(url, 'POST', '/api/users', { id: 1 });
    const flooder = await admin(url, 'POST', '/api/users', { id: 2 });
    for (let i = 0; i < 100; i++) {
      const peer = `-qB4520-${randomBytes(6).toString('hex')}`;
      await fetch(
        `${url}/${filler.passkey}/announce?info_hash=${encode(infoHash)}&peer_id=${peer}&port=${1000 + i}` +
          '&uploaded=0&downloaded=0&left=0',
      );
    }
    const request = Buffer.from(
      `GET /${flooder.passkey}/announce?info_hash=${encode(infoHash)}&peer_id=-TR3000-${randomBytes(6).toString('hex')}` +
        '&port=7000&uploaded=0&downloaded=0&left=5&compact=0&numwant=100 HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const batch = Buffer.concat(Array.from({ length: 200 }, () => request));
    const before = rssMb(server.pid);
    console.log(`entry ${path.relative(ROOT, entry)}; RSS before the flood: ${before.toFixed(0)} MB`);
    const socket = net.connect(port, '127.0.0.1');
    socket.pause(); // never read
    socket.on('error', () => undefined);
    const stopAt = Date.now() + seconds * 1000;
    let sent = 0;
    const pump = () => {
      while (Date.now() < stopAt && socket.write(batch)) sent += 200;
      if (Date.now() < stopAt) socket.once('drain', pump);
    };
    socket.once('connect', pump);
    for (let s = 1; s <= seconds; s++) {
      await sleep(1000);
      console.log(`  ${s} s: RSS ${rssMb(server.pid).toFixed(0)} MB, ${sent} requests written by the client`);
    }
    console.log(`RSS after ${seconds} s: ${rssMb(server.pid).toFixed(0)} MB (before: ${before.toFixed(0)} MB)`);
    socket.destroy();
  } finally {
    server.kill('SIGKILL');
    await sleep(500);
    await pg.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pg.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
