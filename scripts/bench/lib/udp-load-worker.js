'use strict';
// One worker thread of `npm run bench:udp`'s load generator: several UDP sockets, each on its own 127.0.0.x source
// address, each keeping `depth` announces in flight (BEP 15: connect once, then announce, announce, ...). A reply
// sends the next announce at once; a socket whose window went quiet for a tick (packets dropped under load) gets a
// fresh window. The warm-up lasts `warmupMs` and at least one announce of every peer (so that every peer is in its
// swarm and every passkey and torrent in the lookup cache); announces answered in the `durationMs` after it count.
const { randomBytes } = require('node:crypto');
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');

const PROTOCOL_ID = 0x41727101980n;
const TICK_MS = 1000;

const { host, port, sourceAddresses, depth, peers, warmupMs, durationMs } = workerData;

/** Per peer, a ready announce packet (BEP 41 URL data included); totals are rewritten before each send. */
const packets = peers.map((peer) => {
  const url = Buffer.from(`/${peer.passkey}/announce`, 'latin1');
  const packet = Buffer.alloc(98 + 2 + url.length + 1);
  packet.writeUInt32BE(1, 8);
  Buffer.from(peer.infoHash, 'hex').copy(packet, 16);
  Buffer.from(peer.peerId, 'hex').copy(packet, 36);
  randomBytes(4).copy(packet, 88);
  packet.writeInt32BE(50, 92);
  packet.writeUInt16BE(peer.port, 96);
  packet[98] = 2;
  packet[99] = url.length;
  url.copy(packet, 100);
  packet[100 + url.length] = 0;
  return {
    packet,
    seeder: peer.seeder,
    announced: false,
    uploaded: 0n,
    downloaded: 0n,
    left: peer.seeder ? 0n : 1_000_000_000n,
  };
});

const counts = { announces: 0, errors: 0, refills: 0, sent: 0 };
let measuring = false;
let next = 0;
/** Set once every peer has announced: the first pass joins swarms and fills the lookup cache. */
let onePass;
const allAnnounced = new Promise((resolve) => (onePass = resolve));

function nextPacket(connectionId, transactionId) {
  const peer = packets[next];
  next = (next + 1) % packets.length;
  if (next === 0) {
    onePass();
  }
  const { packet } = peer;
  connectionId.copy(packet, 0);
  packet.writeUInt32BE(transactionId, 12);
  packet.writeBigUInt64BE(peer.downloaded, 56);
  packet.writeBigUInt64BE(peer.left, 64);
  packet.writeBigUInt64BE(peer.uploaded, 72);
  packet.writeUInt32BE(peer.announced ? 0 : 2, 80); // started, the first time
  peer.announced = true;
  if (peer.seeder) {
    peer.uploaded += 16384n;
  } else {
    peer.downloaded += 16384n;
    peer.left = peer.left > 16384n ? peer.left - 16384n : 0n;
  }
  return packet;
}

function openSocket(sourceAddress) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, sourceAddress, () => {
      socket.off('error', reject);
      const state = { socket, connectionId: null, inFlight: 0, answeredSinceTick: false, transaction: 1 };
      socket.on('message', (message) => onMessage(state, message));
      socket.on('error', () => undefined);
      resolve(state);
    });
  });
}

function connect(state) {
  const packet = Buffer.alloc(16);
  packet.writeBigUInt64BE(PROTOCOL_ID, 0);
  packet.writeUInt32BE(0, 8);
  packet.writeUInt32BE(0, 12);
  state.socket.send(packet, port, host);
}

function fill(state) {
  while (state.inFlight < depth) {
    state.inFlight++;
    counts.sent++;
    state.socket.send(nextPacket(state.connectionId, state.transaction++ >>> 0), port, host);
  }
}

function onMessage(state, message) {
  const action = message.readUInt32BE(0);
  state.answeredSinceTick = true;
  if (action === 0) {
    state.connectionId = Buffer.from(message.subarray(8, 16));
    state.inFlight = 0;
    fill(state);
    return;
  }
  state.inFlight = Math.max(0, state.inFlight - 1);
  if (action === 1) {
    if (measuring) {
      counts.announces++;
    }
  } else if (measuring) {
    counts.errors++;
    if (counts.errors <= 3) {
      parentPort.postMessage({ errorSample: message.subarray(8).toString('utf8') });
    }
  }
  if (action === 3 && /connection/i.test(message.subarray(8).toString('latin1'))) {
    connect(state);
    return;
  }
  fill(state);
}

async function main() {
  const sockets = await Promise.all(sourceAddresses.map(openSocket));
  for (const state of sockets) {
    connect(state);
  }
  const ticker = setInterval(() => {
    for (const state of sockets) {
      if (!state.answeredSinceTick) {
        if (state.connectionId === null) {
          connect(state);
        } else {
          counts.refills += measuring ? 1 : 0;
          state.inFlight = 0;
          fill(state);
        }
      }
      state.answeredSinceTick = false;
    }
  }, TICK_MS);
  // Connection IDs live 1-2 minutes: renew them well within.
  const renew = setInterval(() => sockets.forEach(connect), 50_000);
  await Promise.all([allAnnounced, new Promise((resolve) => setTimeout(resolve, warmupMs))]);
  measuring = true;
  parentPort.postMessage({ started: Date.now() });
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  measuring = false;
  clearInterval(ticker);
  clearInterval(renew);
  for (const state of sockets) {
    state.socket.close();
  }
  parentPort.postMessage({ done: counts });
}

main().catch((error) => parentPort.postMessage({ failed: error.stack || String(error) }));
