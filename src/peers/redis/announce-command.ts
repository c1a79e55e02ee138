import { createHash } from 'node:crypto';
import { Cluster, Command, type Redis } from 'ioredis';
import { ANNOUNCE_LUA } from 'src/peers/redis/announce.lua';
import type { AnnounceReply, RedisScripts } from 'src/peers/redis/redis-scripts';
import type { SwarmKeys } from 'src/peers/redis/redis-keys';

/** The announce script's arguments after its keys (announce.lua.ts). */
export interface AnnounceArgs {
  member: Buffer;
  ip: string;
  numbers: Buffer;
  event: string;
}

const SHA = createHash('sha1').update(ANNOUNCE_LUA).digest('hex');
/** The script's 4 keys and 4 arguments. */
const ARG_COUNT = 8;
/** `EVALSHA <sha> 4`, the same for every announce. */
const HEAD = Buffer.from(`*${3 + ARG_COUNT}\r\n$7\r\nEVALSHA\r\n$40\r\n${SHA}\r\n$1\r\n4\r\n`, 'latin1');

/**
 * Runs the announce script, one EVALSHA per announce, pipelined with the other announces of its tick.
 *
 * On a single Redis the command goes out as a RESP frame written once into one buffer, and the connection is
 * corked until the tick ends, so a poll phase's announces leave in one write. Through ioredis's script commands
 * (defineCommand and autopipelining) each announce cost Node ~24 µs more on this project's 2-core box, in the
 * generic encoding (buffers mixed with strings, copied twice) and the pipeline's bookkeeping (microbenchmark of the
 * script alone, 64 in flight: 69 against 45 µs of Node CPU per call). A Cluster routes each command to its slot's
 * node, so it keeps ioredis's script commands.
 */
export class AnnounceCommand {
  private corked = false;
  private loading: Promise<unknown> | null = null;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly scripts: RedisScripts,
  ) {}

  run(keys: SwarmKeys, args: AnnounceArgs): Promise<AnnounceReply> {
    const { member, ip, numbers, event } = args;
    if (this.client instanceof Cluster) {
      return this.scripts.run.peerStoreAnnounceBuffer(
        keys.peers,
        keys.seeders,
        keys.leechers,
        keys.ledger,
        member,
        ip,
        numbers,
        event,
      );
    }
    const frame = encodeFrame([keys.peers, keys.seeders, keys.leechers, keys.ledger, member, ip, numbers, event]);
    return this.send(this.client, frame).catch(async (error: Error) => {
      if (!error.message.startsWith('NOSCRIPT')) {
        throw error;
      }
      // A new, restarted or flushed Redis does not know the script: load it (once for all the announces that
      // found it missing together) and send the frame again.
      const client = this.client as Redis;
      this.loading ??= client.script('LOAD', ANNOUNCE_LUA).finally(() => (this.loading = null));
      await this.loading;
      return this.send(client, frame);
    });
  }

  private send(client: Redis, frame: Buffer): Promise<AnnounceReply> {
    if (!this.corked && client.status === 'ready') {
      const stream = client.stream;
      stream.cork();
      this.corked = true;
      process.nextTick(() => {
        this.corked = false;
        stream.uncork();
      });
    }
    const command = new EncodedCommand(frame);
    void client.sendCommand(command);
    return command.promise as Promise<AnnounceReply>;
  }
}

/** A command whose RESP frame is already written; ioredis queues it, writes the frame and parses the reply. */
class EncodedCommand extends Command {
  constructor(private readonly frame: Buffer) {
    super('evalsha', [], { replyEncoding: null });
  }

  override toWritable(): Buffer {
    return this.frame;
  }
}

/** `EVALSHA <sha> 4 <args...>` as RESP: one allocation, strings written as UTF-8. */
function encodeFrame(args: readonly (string | Buffer)[]): Buffer {
  let length = HEAD.length;
  const lengths: number[] = [];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
    lengths.push(bytes);
    length += 1 + decimalDigits(bytes) + 2 + bytes + 2;
  }
  const frame = Buffer.allocUnsafe(length);
  let at = HEAD.copy(frame, 0);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    at += frame.write(`$${lengths[i]}\r\n`, at, 'latin1');
    at += typeof arg === 'string' ? frame.write(arg, at, 'utf8') : arg.copy(frame, at);
    frame[at++] = 13;
    frame[at++] = 10;
  }
  return frame;
}

function decimalDigits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}
