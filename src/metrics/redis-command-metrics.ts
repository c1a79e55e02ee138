import diagnosticsChannel from 'node:diagnostics_channel';
import type { TallyCounter, TallyHistogram } from 'src/metrics/tally-metrics';

/** The context ioredis publishes for each command (ioredis/built/tracing.d.ts), with our start time added. */
interface CommandContext {
  command: string;
  startedAt?: number;
}

/**
 * Times every Redis command and counts its errors through ioredis's own `ioredis:command` tracing channel
 * (diagnostics_channel): from the write to the reply, for single Redis and for every node of a Cluster, with no
 * wrapper around the client. The channel is the process's, so each subscriber sees every client's commands.
 * Returns the unsubscribe function.
 */
export function observeRedisCommands(duration: TallyHistogram, errors: TallyCounter): () => void {
  const channel = diagnosticsChannel.tracingChannel<string, CommandContext>('ioredis:command');
  const subscribers = {
    start(context: CommandContext) {
      context.startedAt = performance.now();
    },
    end() {},
    asyncStart() {},
    asyncEnd(context: CommandContext) {
      if (context.startedAt !== undefined) {
        duration.labels(context.command).observe((performance.now() - context.startedAt) / 1000);
      }
    },
    error(context: CommandContext) {
      errors.labels(context.command).value++;
    },
  };
  channel.subscribe(subscribers);
  return () => channel.unsubscribe(subscribers);
}
