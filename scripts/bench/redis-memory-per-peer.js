'use strict';
// Runs redis-memory-per-peer.ts from source, without a build.
//   REDIS_URL=redis://127.0.0.1:16390 node scripts/bench/redis-memory-per-peer.js [peers] [torrents] [users] [reannounces]
require('./lib/register-ts');
require('./redis-memory-per-peer.ts');
