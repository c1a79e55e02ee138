'use strict';
// Runs promotion-memory.ts from source, without a build.
//   node --expose-gc scripts/bench/promotion-memory.js [users=100000] [tokensPerUser=20]
require('./lib/register-ts');
require('./promotion-memory.ts');
