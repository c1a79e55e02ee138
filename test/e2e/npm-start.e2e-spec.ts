import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { createPrivateCheckout, type PrivateCheckout } from 'test/support/private-checkout';
import { startTracker } from 'test/support/tracker-process';
import { GiveUp, waitFor } from 'test/support/wait-for';

const UPLOADED = 123_456;

describe('npm start in a private folder (mode 0700, a space in the path)', () => {
  let checkout: PrivateCheckout;
  let npm: ManagedProcess | undefined;

  beforeAll(() => {
    checkout = createPrivateCheckout();
  });

  afterAll(async () => {
    await npm?.kill();
    checkout.remove();
  });

  it('serves the embedded default, and SIGTERM to npm shuts node down gracefully, pending accounting written', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    npm = await ManagedProcess.start('npm', ['start'], {
      name: 'npm start',
      cwd: checkout.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NO_COLOR: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        // Nothing is flushed before the signal: what reaches the database is the shutdown's flush.
        FLUSH_INTERVAL_MS: '600000',
      },
    });
    const running = npm;
    const healthy = async () => {
      if (!running.running) {
        throw new GiveUp('npm start exited');
      }
      return (await fetch(`${baseUrl}/health`)).status === 200 ? true : undefined;
    };
    await waitFor(healthy, {
      description: 'the tracker started by npm start',
      timeoutMs: 120_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${running.logs()}`);
    });
    if (process.getuid?.() === 0) {
      expect(running.logs()).toContain('binaries in /var/cache/private-tracker/');
    }

    const dataDir = join(checkout.dir, 'data');
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const api = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { passkey: string } };
    };
    const user = await api('POST', '/api/users', { id: 7 });
    expect(user.status).toBe(201);
    const infoHash = randomBytes(20);
    expect((await api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') })).status).toBe(201);
    const peer = peerId();
    for (const [event, uploaded] of [
      ['started', 0],
      [undefined, UPLOADED],
    ] as const) {
      const url = announceUrl(user.body.passkey, { infoHash, peerId: peer, left: 0, uploaded, event });
      const answer = new Answer(Buffer.from(await (await fetch(`${baseUrl}${url}`)).arrayBuffer()));
      expect(answer.failure).toBeUndefined();
    }

    // The signal goes to npm, as a supervisor or `docker stop` sends it; node must get it and finish its shutdown.
    expect(await running.stop('SIGTERM', 30_000)).toBe(0);
    expect(running.logs()).toContain('SIGTERM received: closing');
    expect(running.logs()).toContain('Closed');
    await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();

    const again = await startTracker({ DATA_DIR: dataDir }, { readyTimeoutMs: 90_000 });
    try {
      const response = await fetch(`${again.baseUrl}/api/users/7`, {
        headers: { authorization: `Bearer ${again.adminToken}` },
      });
      expect(await response.json()).toMatchObject({ id: 7, uploaded: UPLOADED, rawUploaded: UPLOADED });
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 300_000);
});
