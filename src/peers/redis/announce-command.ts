import { Cluster, type Redis } from 'ioredis';
import { ANNOUNCE_LUA } from 'src/peers/redis/announce.lua';
import { bulk, EncodedScript } from 'src/redis/encoded-script';
import { type AnnounceReply, decodeAnnounceReplies } from 'src/peers/redis/redis-peer.codec';
import type { RedisScripts } from 'src/peers/redis/redis-scripts';
import type { SwarmKeys } from 'src/peers/redis/redis-keys';
import { TickBatch } from 'src/peers/redis/tick-batch';

/** The announce script's arguments after its keys (announce.lua.ts). */
export interface AnnounceArgs {
  member: Buffer;
  ip: string;
  numbers: Buffer;
  event: string;
  /** On a single Redis, the user's leeches key for download slots (announce.lua.ts key 7), or '' without slots. */
  leeching: string;
}

interface QueuedAnnounce {
  keys: SwarmKeys;
  args: AnnounceArgs;
  resolve: (reply: AnnounceReply) => void;
  reject: (error: Error) => void;
}

/**
 * Announces per script call at most: a call runs them back to back, so this bounds how long other clients of the
 * Redis wait behind one (64 announces: ~1 ms of Redis in the bench).
 */
const MAX_ANNOUNCES_PER_CALL = 64;

/**
 * Runs the announce script.
 *
 * On a single Redis, the announces of one tick (the routes hand them over a poll phase at a time, CheckPhaseBatch) go
 * in one EVALSHA, written as one RESP frame into one buffer (src/redis/encoded-script.ts), and come back as one string.
 * A command per announce cost ioredis a Command, its queueing, a promise and the decoding of a reply array each, and
 * Redis a call's setup each: in `npm run bench` (interleaved A/B, ~17 announces a call) the store went from 38.0 to
 * 33.6 µs of Node CPU and from 18.4 to 17.3 µs of Redis per announce, and from 0.50x to 0.54x the ceiling.
 *
 * A Cluster routes each command to its slot's node, so it gets one announce per call, through ioredis's script
 * commands.
 */
export class AnnounceCommand {
  private readonly batch = new TickBatch<QueuedAnnounce>(MAX_ANNOUNCES_PER_CALL, (announces) =>
    this.sendBatch(announces),
  );
  /** Unset on a Cluster. */
  private readonly script: EncodedScript | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly scripts: RedisScripts,
  ) {
    this.script = client instanceof Cluster ? undefined : new EncodedScript(client, ANNOUNCE_LUA);
  }

  run(keys: SwarmKeys, args: AnnounceArgs): Promise<AnnounceReply> {
    if (this.client instanceof Cluster) {
      const { member, ip, numbers, event } = args;
      return this.scripts.run
        .peerStoreAnnounceBuffer(
          keys.peers,
          keys.seeders,
          keys.leechers,
          keys.ledger,
          keys.version,
          keys.userPeers,
          member,
          ip,
          numbers,
          event,
        )
        .then((replies) => settled(decodeAnnounceReplies(replies)[0]));
    }
    return new Promise((resolve, reject) => this.batch.add({ keys, args, resolve, reject }));
  }

  private sendBatch(announces: QueuedAnnounce[]): void {
    const script = this.script!;
    (script.callFrame(encodeFrame(script.sha, announces)) as Promise<Buffer>)
      .then((replies) => {
        const decoded = decodeAnnounceReplies(replies);
        if (decoded.length !== announces.length) {
          throw new Error(`The announce script answered ${decoded.length} of ${announces.length} announces`);
        }
        announces.forEach((announce, i) => {
          const reply = decoded[i];
          if (reply instanceof Error) {
            announce.reject(reply);
          } else {
            announce.resolve(reply);
          }
        });
      })
      .catch((error: Error) => announces.forEach((announce) => announce.reject(error)));
  }
}

function settled(reply: AnnounceReply | Error): AnnounceReply {
  if (reply instanceof Error) {
    throw reply;
  }
  return reply;
}

/**
 * `EVALSHA <sha> <7 × n> <keys of each announce> <member> <ip> <numbers> <event> of each announce` as RESP, in one
 * allocation: the text around the binary arguments in string writes.
 */
function encodeFrame(sha: string, announces: readonly QueuedAnnounce[]): Buffer {
  let keys = '';
  for (const { keys: swarm, args } of announces) {
    keys +=
      `${bulk(swarm.peers)}${bulk(swarm.seeders)}${bulk(swarm.leechers)}` +
      `${bulk(swarm.ledger)}${bulk(swarm.version)}${bulk(swarm.userPeers)}${bulk(args.leeching)}`;
  }
  const keyCount = String(7 * announces.length);
  const head = `*${3 + 11 * announces.length}\r\n$7\r\nEVALSHA\r\n$40\r\n${sha}\r\n${bulk(keyCount)}${keys}`;
  // Per announce: text, member, text, numbers, text.
  const texts: string[] = [];
  let length = Buffer.byteLength(head);
  for (const { args } of announces) {
    const { member, ip, numbers, event } = args;
    texts.push(`$${member.length}\r\n`, `\r\n${bulk(ip)}$${numbers.length}\r\n`, `\r\n${bulk(event)}`);
    length += member.length + numbers.length;
  }
  for (const text of texts) {
    length += Buffer.byteLength(text);
  }
  const frame = Buffer.allocUnsafe(length);
  let at = frame.write(head, 0, 'utf8');
  announces.forEach(({ args }, i) => {
    at += frame.write(texts[3 * i], at, 'utf8');
    at += args.member.copy(frame, at);
    at += frame.write(texts[3 * i + 1], at, 'utf8');
    at += args.numbers.copy(frame, at);
    at += frame.write(texts[3 * i + 2], at, 'utf8');
  });
  return frame;
}
