import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createInstancePair, createTestApp, type TestApp } from 'test/support/test-app';
import { sleep, waitFor } from 'test/support/wait-for';

/**
 * CONTRACT §5 "at once": after an admin write on one instance, the next request on any other instance sees it,
 * although that instance had the old answer cached (the lookup cache TTL here is an hour).
 */
describe('cache invalidation across instances sharing Redis and PostgreSQL', () => {
  let writer: TestApp;
  let reader: TestApp;

  beforeAll(async () => {
    ({ writer, reader } = await createInstancePair());
  });

  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  /** The contract gives another instance one second; poll within it. */
  async function failureOn(app: TestApp, url: string, expected: RegExp | undefined): Promise<string | undefined> {
    const deadline = Date.now() + 1000;
    for (;;) {
      const failure = new Answer((await app.get(url)).body).failure;
      const seen = expected === undefined ? failure === undefined : failure !== undefined && expected.test(failure);
      if (seen || Date.now() > deadline) {
        return failure;
      }
      await sleep(10);
    }
  }

  it('sees users, passkeys, torrents and the whitelist change on the other instance at once', async () => {
    const { body: user } = await writer.api('POST', '/api/users', { id: 1 });
    const infoHash = randomBytes(20);
    const url = (passkey: string, prefix?: string) =>
      announceUrl(passkey, { infoHash, peerId: peerId(prefix), left: 0 });

    // The reader caches "unknown torrent", then the torrent is registered on the writer.
    expect(await failureOn(reader, url(user.passkey), /not registered/)).toMatch(/not registered/);
    await writer.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    expect(await failureOn(reader, url(user.passkey), undefined)).toBeUndefined();

    await writer.api('PATCH', '/api/users/1', { enabled: false });
    expect(await failureOn(reader, url(user.passkey), /disabled/)).toMatch(/disabled/);
    await writer.api('PATCH', '/api/users/1', { enabled: true });
    expect(await failureOn(reader, url(user.passkey), undefined)).toBeUndefined();

    const { body: rotated } = await writer.api('POST', '/api/users/1/passkey', {});
    expect(await failureOn(reader, url(user.passkey), /Unknown passkey/)).toMatch(/Unknown passkey/);
    expect(await failureOn(reader, url(rotated.passkey), undefined)).toBeUndefined();

    await writer.api('POST', '/api/clients', { prefix: '-TR', name: 'Transmission' });
    expect(await failureOn(reader, url(rotated.passkey, '-qB4520-'), /client/)).toMatch(/client/);
    await writer.api('DELETE', '/api/clients/-TR');
    expect(await failureOn(reader, url(rotated.passkey, '-qB4520-'), undefined)).toBeUndefined();

    await writer.api('DELETE', `/api/torrents/${infoHash.toString('hex')}`);
    expect(await failureOn(reader, url(rotated.passkey), /deleted/)).toMatch(/deleted/);

    await writer.api('DELETE', '/api/users/1');
    expect(await failureOn(reader, url(rotated.passkey), /Unknown passkey/)).toMatch(/Unknown passkey/);
  });

  it('honours download slots set on the other instance within a second', async () => {
    const { body: user } = await writer.api('POST', '/api/users', { id: 2 });
    const hashes = Array.from({ length: 50 }, () => randomBytes(20));
    await writer.api('PUT', '/api/torrents', { torrents: hashes.map((h) => ({ infoHash: h.toString('hex') })) });
    const leech = (i: number) => announceUrl(user.passkey, { infoHash: hashes[i], peerId: peerId(), left: 100 });
    // The reader caches the user without slots while it leeches the first torrent.
    expect(new Answer((await reader.get(leech(0))).body).failure).toBeUndefined();
    await writer.api('PATCH', '/api/users/2', { downloadSlots: 1 });
    // Each try leeches another torrent: until the reader sees the slots, they are all admitted.
    const deadline = Date.now() + 1000;
    let failure: string | undefined;
    for (let i = 1; failure === undefined && i < hashes.length - 1 && Date.now() <= deadline; i++) {
      failure = new Answer((await reader.get(leech(i))).body).failure;
      await sleep(20);
    }
    expect(failure).toMatch(/You are downloading 1 torrents/);
    // The last torrent was never tried: lifting the limit lets it in.
    await writer.api('PATCH', '/api/users/2', { downloadSlots: null });
    expect(await failureOn(reader, leech(hashes.length - 1), undefined)).toBeUndefined();
  });
});

/** LOOKUP_CACHE_TTL_MS bounds how long a change the instance was never told of (a lost invalidation) goes unseen. */
describe('lookup cache entries past their TTL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ LOOKUP_CACHE_TTL_MS: '300' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('keep answering while they are reloaded in the background, then give the new answer', async () => {
    const { body: user } = await t.api('POST', '/api/users', { id: 1 });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const url = announceUrl(user.passkey, { infoHash, peerId: peerId(), left: 0 });
    expect(new Answer((await t.get(url)).body).failure).toBeUndefined();

    // Behind the tracker's back: no invalidation reaches the cache.
    await t.app.get(DataSource).query(`UPDATE users SET enabled = false WHERE id = 1`);
    await sleep(350);
    // Stale: this announce is answered from the cache at once and asks for a reload.
    expect(new Answer((await t.get(url)).body).failure).toBeUndefined();
    const failure = await waitFor(async () => new Answer((await t.get(url)).body).failure, {
      description: 'the reloaded user',
      timeoutMs: 2000,
      intervalMs: 20,
    });
    expect(failure).toMatch(/disabled/);
  });

  it('apply to the client whitelist too', async () => {
    const { body: user } = await t.api('POST', '/api/users', { id: 2 });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const url = announceUrl(user.passkey, { infoHash, peerId: peerId('-qB4650-'), left: 0 });
    expect(new Answer((await t.get(url)).body).failure).toBeUndefined();

    await t.app.get(DataSource).query(`INSERT INTO client_whitelist (prefix, name) VALUES ('-TR', 'Transmission')`);
    // No stale answer is asserted here: the announce above may have started a background reload of a list loaded
    // at boot, which on a loaded machine reads the table after the INSERT. What matters is that the TTL bounds it.
    await sleep(350);
    const failure = await waitFor(async () => new Answer((await t.get(url)).body).failure, {
      description: 'the reloaded whitelist',
      timeoutMs: 2000,
      intervalMs: 20,
    });
    expect(failure).toMatch(/client/);
  });
});
