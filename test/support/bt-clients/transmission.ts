import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess } from 'test/support/managed-process';
import { sleep, waitFor } from 'test/support/wait-for';

export interface TransmissionOptions {
  /** Holds the config dir (`-g`) and the downloads. */
  workDir: string;
  /** Loopback address for the listen socket. */
  ip: string;
  port: number;
  rpcPort: number;
}

export interface TransmissionTorrent {
  hashString: string;
  percentDone: number;
  status: number;
  error: number;
  errorString: string;
}

export interface Transmission {
  readonly ip: string;
  readonly port: number;
  addTorrent(torrentPath: string, downloadDir: string): Promise<void>;
  torrent(infoHash: string): Promise<TransmissionTorrent | undefined>;
  /** Stops every torrent over RPC (that is what announces `event=stopped`; SIGTERM alone does not), then SIGTERM. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  logs(): string;
}

/**
 * transmission-daemon 3.00, tracker-only (no DHT, LPD, PEX, uTP, port mapping). It never dials 127.0.0.0/8 peers (they
 * are "martian" to it), so as a leecher it only gets the peers that dial in: the seeder must re-announce after it.
 */
export async function startTransmission(options: TransmissionOptions): Promise<Transmission> {
  const configDir = join(options.workDir, 'config');
  await mkdir(configDir, { recursive: true });
  const settings = {
    'bind-address-ipv4': options.ip,
    'bind-address-ipv6': '::1',
    'peer-port': options.port,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': false,
    'utp-enabled': false,
    'blocklist-enabled': false,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': options.rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': true,
    'rpc-whitelist': '127.0.0.1',
    'rpc-host-whitelist-enabled': false,
    'download-dir': join(options.workDir, 'downloads'),
    'incomplete-dir-enabled': false,
    'watch-dir-enabled': false,
    'start-added-torrents': true,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'message-level': 2,
  };
  await writeFile(join(configDir, 'settings.json'), JSON.stringify(settings, null, 2));

  const child = await ManagedProcess.start('transmission-daemon', ['-f', '-g', configDir], {
    name: 'transmission-daemon',
    cwd: options.workDir,
    env: { ...process.env, HOME: options.workDir },
  });

  const url = `http://127.0.0.1:${options.rpcPort}/transmission/rpc`;
  let sessionId = '';
  const rpc = async <T>(method: string, args: Record<string, unknown>): Promise<T> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'x-transmission-session-id': sessionId, 'content-type': 'application/json' },
        body: JSON.stringify({ method, arguments: args }),
        signal: AbortSignal.timeout(5_000),
      });
      // The CSRF handshake: the first call (and any after a restart) gets 409 with the session id to use.
      if (response.status === 409) {
        sessionId = response.headers.get('x-transmission-session-id') ?? '';
        continue;
      }
      const body = (await response.json()) as { result: string; arguments: T };
      if (body.result !== 'success') {
        throw new Error(`transmission ${method}: ${body.result}`);
      }
      return body.arguments;
    }
    throw new Error(`transmission ${method}: no session id`);
  };

  try {
    await waitFor(
      async () => {
        if (!child.running) {
          throw new Error(`transmission-daemon exited with ${await child.exited}`);
        }
        return rpc('session-get', {});
      },
      { description: 'the transmission RPC', timeoutMs: 30_000 },
    );
  } catch (error) {
    await child.kill();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${child.logs()}`, { cause: error });
  }

  return {
    ip: options.ip,
    port: options.port,
    addTorrent: async (torrentPath, downloadDir) => {
      const metainfo = (await readFile(torrentPath)).toString('base64');
      await rpc('torrent-add', { metainfo, 'download-dir': downloadDir });
    },
    torrent: async (infoHash) => {
      const fields = ['hashString', 'percentDone', 'status', 'error', 'errorString'];
      const answer = await rpc<{ torrents: TransmissionTorrent[] }>('torrent-get', { ids: [infoHash], fields });
      return answer.torrents[0];
    },
    stop: async () => {
      if (child.running) {
        await rpc('torrent-stop', {}).catch(() => undefined);
        // The stopped announce goes out asynchronously; give it time before the process goes.
        await sleep(2_000);
      }
      return child.stop('SIGTERM', 10_000);
    },
    kill: () => child.kill(),
    logs: () => child.logs(),
  };
}
