import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ManagedProcess } from 'test/support/managed-process';
import { waitFor } from 'test/support/wait-for';

export interface QbittorrentOptions {
  /** Holds the profile (config, logs, resume data). */
  workDir: string;
  /** Loopback address for the listen socket and the peer connections. */
  ip: string;
  port: number;
  webUiPort: number;
}

export interface QbTorrentInfo {
  hash: string;
  progress: number;
  state: string;
  downloaded: number;
}

export interface QbTrackerInfo {
  url: string;
  /** 0 disabled, 1 not contacted, 2 working, 3 updating, 4 not working. */
  status: number;
  msg: string;
}

export interface Qbittorrent {
  readonly ip: string;
  readonly port: number;
  addTorrent(torrentPath: string, savePath: string): Promise<void>;
  torrent(infoHash: string): Promise<QbTorrentInfo | undefined>;
  trackers(infoHash: string): Promise<QbTrackerInfo[]>;
  /** SIGTERM: qBittorrent announces `event=stopped` (waits at most 5 s for the tracker) and exits. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  logs(): Promise<string>;
}

/**
 * The profile for qbittorrent-nox 4.5 (libtorrent 2.0), tracker-only on one loopback address. SSRFMitigation is off:
 * with it on, libtorrent refuses a tracker on a loopback host whose path is not exactly `/announce`, and our announce
 * path carries the passkey. UPnP and GeoIP lookups are off because they reach out to the network.
 */
function profileConfig(options: QbittorrentOptions, savePath: string): string {
  return [
    '[LegalNotice]',
    'Accepted=true',
    '',
    '[Network]',
    'PortForwardingEnabled=false',
    '',
    '[BitTorrent]',
    'Session\\DHTEnabled=false',
    'Session\\LSDEnabled=false',
    'Session\\PeXEnabled=false',
    `Session\\Port=${options.port}`,
    'Session\\Interface=lo',
    'Session\\InterfaceName=lo',
    `Session\\InterfaceAddress=${options.ip}`,
    'Session\\BTProtocol=TCP',
    'Session\\MultiConnectionsPerIp=true',
    'Session\\SSRFMitigation=false',
    'Session\\QueueingSystemEnabled=false',
    `Session\\DefaultSavePath=${savePath}`,
    '',
    '[Preferences]',
    'WebUI\\Address=127.0.0.1',
    `WebUI\\Port=${options.webUiPort}`,
    'WebUI\\LocalHostAuth=false',
    'WebUI\\CSRFProtection=false',
    'WebUI\\HostHeaderValidation=false',
    'WebUI\\UseUPnP=false',
    'Connection\\UPnP=false',
    'Connection\\ResolvePeerCountries=false',
    '',
  ].join('\n');
}

/** qbittorrent-nox with its Web API on 127.0.0.1 (no login from localhost); resolves once the API answers. */
export async function startQbittorrent(options: QbittorrentOptions): Promise<Qbittorrent> {
  const profile = join(options.workDir, 'profile');
  const configDir = join(profile, 'qBittorrent', 'config');
  const savePath = join(options.workDir, 'downloads');
  await mkdir(configDir, { recursive: true });
  await mkdir(savePath, { recursive: true });
  await writeFile(join(configDir, 'qBittorrent.conf'), profileConfig(options, savePath));

  const env = {
    ...process.env,
    HOME: options.workDir,
    XDG_CONFIG_HOME: options.workDir,
    XDG_DATA_HOME: options.workDir,
  };
  const child = await ManagedProcess.start('qbittorrent-nox', [`--profile=${profile}`], {
    name: 'qbittorrent-nox',
    cwd: options.workDir,
    env,
  });
  const api = `http://127.0.0.1:${options.webUiPort}/api/v2`;
  const logs = async () =>
    `${child.logs()}\n${await readFile(join(profile, 'qBittorrent', 'data', 'logs', 'qbittorrent.log'), 'utf8').catch(() => '')}`;

  const call = async (path: string, init?: RequestInit): Promise<string> => {
    const response = await fetch(`${api}${path}`, { ...init, signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`qBittorrent ${path}: HTTP ${response.status} ${text}`);
    }
    return text;
  };

  try {
    await waitFor(
      async () => {
        if (!child.running) {
          throw new Error(`qbittorrent-nox exited with ${await child.exited}`);
        }
        return call('/app/version');
      },
      { description: 'the qBittorrent Web API', timeoutMs: 30_000 },
    );
  } catch (error) {
    await child.kill();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await logs()}`, { cause: error });
  }

  return {
    ip: options.ip,
    port: options.port,
    addTorrent: async (torrentPath, torrentSavePath) => {
      const form = new FormData();
      form.append('torrents', new Blob([await readFile(torrentPath)]), basename(torrentPath));
      form.append('savepath', torrentSavePath);
      const answer = await call('/torrents/add', { method: 'POST', body: form });
      if (answer.trim() !== 'Ok.') {
        throw new Error(`qBittorrent refused ${torrentPath}: ${answer}`);
      }
    },
    torrent: async (infoHash) => {
      const list = JSON.parse(await call(`/torrents/info?hashes=${infoHash}`)) as QbTorrentInfo[];
      return list[0];
    },
    trackers: async (infoHash) => JSON.parse(await call(`/torrents/trackers?hash=${infoHash}`)) as QbTrackerInfo[],
    stop: () => child.stop('SIGTERM', 15_000),
    kill: () => child.kill(),
    logs,
  };
}
