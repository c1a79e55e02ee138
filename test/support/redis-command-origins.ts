/**
 * A diagnostic, not part of `npm test`: names the Redis command behind a rejection such as ioredis's
 * "Connection is closed.", whose own stack shows only ioredis's close handler. Load it into a run:
 *
 *   npx jest --runInBand <tests> --setupFilesAfterEnv ./test/support/redis-command-origins.ts
 *
 * Every ioredis command then keeps the stack that created it (a few µs each) and rejects with a copy of its error
 * whose stack ends with that command and stack, so jest's report of an unhandled rejection names its origin.
 * (A listener of the process's own 'unhandledRejection' would not do: jest's sandbox gives tests another `process`.)
 */
import { Command } from 'ioredis';

// initPromise is private in ioredis's typings; it is where every command makes its promise and its reject.
const prototype = Command.prototype as unknown as { initPromise(this: Command): void };
const initPromise = prototype.initPromise;

prototype.initPromise = function (this: Command) {
  initPromise.call(this);
  const origin: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // a command issued under app.inject is deep in Nest's and Fastify's frames
  Error.captureStackTrace(origin);
  Error.stackTraceLimit = limit;
  const reject = this.reject;
  this.reject = (error: Error) => {
    // One error is often shared by every command a close flushes: each command rejects with its own copy.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
    copy.message = error.message;
    copy.stack = `${error.stack}\n    ~ Redis command ${this.name}, created${origin.stack?.replace(/^Error/, '')}`;
    reject(copy);
  };
};
