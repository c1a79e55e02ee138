'use strict';
// The framework's ceiling for `npm run bench`: NestJS on Fastify with one route, `GET /:passkey/announce`, that
// answers a fixed bencoded body. No query decoding, no lookup, no store: whatever the tracker costs beyond this is
// ours. Plain JS with the decorators applied by hand, so it needs no build. Env: HOST (127.0.0.1), PORT.
require('reflect-metadata');
const { Controller, Get, Header, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

// What an empty swarm answers, with the keys the tracker sends.
const BODY = Buffer.from(
  'd8:completei0e10:downloadedi0e10:incompletei1e8:intervali1800e12:min intervali900e5:peers0:e',
);

class CeilingController {
  announce() {
    return BODY;
  }
}
const descriptor = Object.getOwnPropertyDescriptor(CeilingController.prototype, 'announce');
Get(':passkey/announce')(CeilingController.prototype, 'announce', descriptor);
Header('Content-Type', 'text/plain')(CeilingController.prototype, 'announce', descriptor);
Controller()(CeilingController);

class CeilingModule {}
Module({ controllers: [CeilingController] })(CeilingModule);

async function main() {
  const app = await NestFactory.create(CeilingModule, new FastifyAdapter({ keepAliveTimeout: 65_000 }), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  const port = Number(process.env.PORT || 6970);
  await app.listen(port, process.env.HOST || '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
