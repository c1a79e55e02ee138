import { Logger } from '@nestjs/common';
import { InvalidationBus } from 'src/lookup/invalidation-bus';
import type { Invalidation } from 'src/lookup/lookup.types';
import type { RedisConnection } from 'src/redis/redis-connection';

/** Pub/sub over the shared Redis: every instance, including the writer, hears every invalidation. */
export class RedisInvalidationBus extends InvalidationBus {
  private readonly logger = new Logger(RedisInvalidationBus.name);
  private readonly channel: string;

  constructor(
    private readonly redis: RedisConnection,
    keyPrefix: string,
  ) {
    super();
    this.channel = `${keyPrefix}invalidate`;
  }

  async publish(invalidation: Invalidation): Promise<void> {
    await this.redis.client.publish(this.channel, JSON.stringify(invalidation));
  }

  async subscribe(onMessage: (invalidation: Invalidation) => void): Promise<void> {
    // RedisConnection owns the subscriber and closes it at shutdown.
    const subscriber = this.redis.createSubscriber();
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) {
        return;
      }
      try {
        onMessage(JSON.parse(message) as Invalidation);
      } catch (error) {
        this.logger.warn(`Ignoring a malformed invalidation: ${(error as Error).message}`);
      }
    });
    // After a reconnect, messages sent meanwhile are lost: forget everything rather than serve stale entries.
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) {
        onMessage({ kind: 'all' });
      }
      connectedOnce = true;
    });
    await subscriber.subscribe(this.channel);
  }
}
