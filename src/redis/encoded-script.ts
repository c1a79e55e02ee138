import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';

/**
 * A Lua script whose calls on a single Redis are written as whole RESP frames, one buffer each, and handed to ioredis
 * as ready-made commands: ioredis then only queues the frame and parses the reply. Its usual path builds a Command
 * that encodes each argument apart and, with autopipelining, a Pipeline per tick around it, which cost a batched call
 * of many small arguments more Node time than the work it carried. Replies come with bulk strings as Buffers.
 */
export class EncodedScript {
  /** The script's SHA1, as EVALSHA names it. */
  readonly sha: string;
  private loading: Promise<unknown> | null = null;

  constructor(
    private readonly client: Redis,
    private readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** EVALSHA with these keys and arguments (text is written as UTF-8). */
  call(keys: readonly string[], args: readonly (Buffer | string)[]): Promise<unknown> {
    return this.callFrame(this.frame(keys, args));
  }

  /** Sends a frame already written (it must name this script's SHA); loads the script once if Redis lacks it. */
  callFrame(frame: Buffer): Promise<unknown> {
    return this.send(frame).catch(async (error: Error) => {
      if (!error.message.startsWith('NOSCRIPT')) {
        throw error;
      }
      // A new, restarted or flushed Redis does not know the script: load it (once for all the calls that found it
      // missing together) and send the frame again.
      this.loading ??= this.client.script('LOAD', this.lua).finally(() => (this.loading = null));
      await this.loading;
      return this.send(frame);
    });
  }

  /** `EVALSHA <sha> <key count> <keys> <args>` as RESP. */
  private frame(keys: readonly string[], args: readonly (Buffer | string)[]): Buffer {
    let text = `*${3 + keys.length + args.length}\r\n$7\r\nEVALSHA\r\n$40\r\n${this.sha}\r\n`;
    text += bulk(String(keys.length));
    for (const key of keys) {
      text += bulk(key);
    }
    let length = Buffer.byteLength(text);
    const sizes = args.map((arg) => (typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length));
    for (const size of sizes) {
      length += String(size).length + size + 5;
    }
    const frame = Buffer.allocUnsafe(length);
    let at = frame.write(text, 0, 'utf8');
    args.forEach((arg, i) => {
      at += frame.write(`$${sizes[i]}\r\n`, at, 'latin1');
      at += typeof arg === 'string' ? frame.write(arg, at, 'utf8') : arg.copy(frame, at);
      at += frame.write('\r\n', at, 'latin1');
    });
    return frame;
  }

  private send(frame: Buffer): Promise<unknown> {
    const command = new EncodedCommand(frame);
    void this.client.sendCommand(command);
    return command.promise;
  }
}

/** A RESP bulk string of `text`. */
export function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
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
