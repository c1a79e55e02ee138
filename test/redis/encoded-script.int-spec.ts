import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EncodedScript } from 'src/redis/encoded-script';

const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

afterAll(async () => {
  await client.quit();
});

/** A script Redis has never seen: its text differs by a random comment. */
const unseen = (body: string) => `-- ${randomUUID()}\n${body}`;

describe('EncodedScript (a single Redis)', () => {
  it('sends keys, binary and UTF-8 arguments in one frame, loading the script when Redis lacks it', async () => {
    const script = new EncodedScript(client, unseen('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]}'));
    expect(await client.script('EXISTS', script.sha)).toEqual([0]);
    const binary = Buffer.from([0, 13, 10, 36, 42, 255]);
    const reply = await script.call(['k:1', 'k:é'], [binary, 'naïve – ok', '']);
    expect(reply).toEqual([Buffer.from('k:1'), Buffer.from('k:é'), binary, Buffer.from('naïve – ok'), Buffer.alloc(0)]);
    expect(await client.script('EXISTS', script.sha)).toEqual([1]);
    // Loaded now: the next call goes straight through.
    const again = await script.call(['a', 'b'], ['x', 'y', 'z']);
    expect(again).toEqual(['a', 'b', 'x', 'y', 'z'].map((text) => Buffer.from(text)));
  });

  it("rejects with the script's error, and the connection goes on serving", async () => {
    const script = new EncodedScript(client, unseen("return redis.error_reply('refused by the script')"));
    await expect(script.call([], [])).rejects.toThrow('refused by the script');
    expect(await client.ping()).toBe('PONG');
  });

  it('answers integers as numbers', async () => {
    const script = new EncodedScript(client, unseen('return {1, 2, #ARGV}'));
    expect(await script.call(['a', 'b'], ['x', 'y', 'z'])).toEqual([1, 2, 3]);
  });
});
