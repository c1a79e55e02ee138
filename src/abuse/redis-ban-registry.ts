import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { COUNT_FAILURE_LUA, LIFT_BAN_LUA, LIST_BANS_LUA, SAVE_BAN_LUA } from 'src/abuse/ban.lua';
import { BanRegistry, type AbuseBan, type BanWatcher } from 'src/abuse/ban-registry';
import type { RedisClient, RedisConnection } from 'src/redis/redis-connection';

type Arg = string | number;

interface BanScripts {
  abuseCountFailure(key: string, windowMs: Arg): Promise<number>;
  abuseSaveBan(index: string, records: string, ...args: Arg[]): Promise<[number, string]>;
  abuseLiftBan(index: string, records: string, ...args: Arg[]): Promise<number>;
  abuseListBans(index: string, records: string, now: Arg): Promise<string[]>;
}

/** `from`: the publishing instance, which applied the change itself and ignores its own message. */
type BanMessage = { from: string; kind: 'ban'; ban: AbuseBan } | { from: string; kind: 'lift'; ip: string };

/**
 * Bans shared through Redis (single, Sentinel or Cluster). Failures are counted in one key per address, so a flood
 * from many addresses spreads over a Cluster's slots; the bans in force, which are few, are an index and a record
 * hash under one `{abuse}` hash tag, so that each script touches one slot. Bans and lifts are published on
 * `<prefix>abuse`; every instance also reloads the whole list periodically and after a reconnect.
 */
export class RedisBanRegistry extends BanRegistry {
  readonly shared = true;
  private readonly logger = new Logger(RedisBanRegistry.name);
  private readonly scripts: BanScripts;
  private readonly channel: string;
  private readonly index: string;
  private readonly records: string;
  private readonly instance = randomUUID();

  constructor(
    private readonly redis: RedisConnection,
    private readonly keyPrefix: string,
    private readonly banMs: number,
  ) {
    super();
    const client: RedisClient = redis.client;
    client.defineCommand('abuseCountFailure', { numberOfKeys: 1, lua: COUNT_FAILURE_LUA });
    client.defineCommand('abuseSaveBan', { numberOfKeys: 2, lua: SAVE_BAN_LUA });
    client.defineCommand('abuseLiftBan', { numberOfKeys: 2, lua: LIFT_BAN_LUA });
    client.defineCommand('abuseListBans', { numberOfKeys: 2, lua: LIST_BANS_LUA });
    this.scripts = client as unknown as BanScripts;
    this.channel = `${keyPrefix}abuse`;
    this.index = `${keyPrefix}{abuse}:bans`;
    this.records = `${keyPrefix}{abuse}:ban-records`;
  }

  private failureKey(ip: string): string {
    return `${this.keyPrefix}abuse:failures:${ip}`;
  }

  countFailure(ip: string, windowMs: number): Promise<number> {
    return this.scripts.abuseCountFailure(this.failureKey(ip), windowMs);
  }

  async save(ban: AbuseBan, now: number): Promise<AbuseBan> {
    const record = JSON.stringify(ban);
    const ttl = Math.max(ban.until - now, this.banMs);
    const [created, inForce] = await this.scripts.abuseSaveBan(
      this.index,
      this.records,
      now,
      ban.ip,
      record,
      ban.until,
      ttl,
    );
    if (created === 1) {
      await this.publish({ from: this.instance, kind: 'ban', ban });
      return ban;
    }
    return JSON.parse(inForce) as AbuseBan;
  }

  async lift(ip: string): Promise<boolean> {
    const lifted = await this.scripts.abuseLiftBan(this.index, this.records, Date.now(), ip);
    await this.redis.client.del(this.failureKey(ip));
    // Told even when there was no ban: an instance may hold one whose record already ended early.
    await this.publish({ from: this.instance, kind: 'lift', ip });
    return lifted === 1;
  }

  async list(now: number): Promise<AbuseBan[]> {
    const records = await this.scripts.abuseListBans(this.index, this.records, now);
    return records.map((record) => JSON.parse(record) as AbuseBan);
  }

  async watch(watcher: BanWatcher): Promise<void> {
    // RedisConnection owns the subscriber and closes it at shutdown.
    const subscriber = this.redis.createSubscriber();
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) {
        return;
      }
      try {
        const parsed = JSON.parse(message) as BanMessage;
        if (parsed.from === this.instance) {
          return;
        }
        if (parsed.kind === 'ban') {
          watcher.banned(parsed.ban);
        } else {
          watcher.lifted(parsed.ip);
        }
      } catch (error) {
        this.logger.warn(`Ignoring a malformed ban message: ${(error as Error).message}`);
      }
    });
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) {
        // Messages sent while disconnected are lost: read the bans in force again.
        this.list(Date.now()).then(
          (bans) => watcher.reload(bans),
          (error: Error) => this.logger.warn(`Could not reload the bans: ${error.message}`),
        );
      }
      connectedOnce = true;
    });
    await subscriber.subscribe(this.channel);
  }

  private async publish(message: BanMessage): Promise<void> {
    await this.redis.client.publish(this.channel, JSON.stringify(message));
  }
}
