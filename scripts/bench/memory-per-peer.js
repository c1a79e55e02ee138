'use strict';
// Runs memory-per-peer.ts from source, without a build.
//   node --expose-gc scripts/bench/memory-per-peer.js [peers] [torrents] [users]
require('./lib/register-ts');
require('./memory-per-peer.ts');
