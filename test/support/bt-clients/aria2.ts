import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess } from 'test/support/managed-process';

const PER_BLOCK_LINE = /BtPieceMessage\.cc|DefaultBtInteractive\.cc:\d+\] CUID#\d+ - From: .* request index=/;

export interface Aria2SeederOptions {
  /** The .torrent to seed. */
  torrentPath: string;
  /** Folder that already holds the payload under the torrent's name; aria2 verifies it before seeding. */
  dataDir: string;
  /** Folder for aria2's log. */
  workDir: string;
  /** Loopback address for the listen socket, the peer connections and the tracker connection. */
  ip: string;
  port: number;
  /** Re-announce every N seconds whatever the tracker says (needed when the leecher never dials 127.x: transmission). */
  trackerIntervalSec?: number;
  /** PEM file of the CA that signed an https:// tracker's certificate (verified; never turned off). */
  caCertificate?: string;
}

export interface Aria2Seeder {
  readonly ip: string;
  readonly port: number;
  /**
   * SIGINT: aria2's graceful shutdown, which announces `event=stopped` and exits within about 2 s. (SIGTERM is its
   * emergency shutdown: it exits without telling the tracker.) Resolves with the exit code.
   */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  logs(): Promise<string>;
}

/** aria2c 1.36 seeding one torrent, tracker-only: DHT, PEX, LPD off, IPv4 loopback only. */
export async function startAria2Seeder(options: Aria2SeederOptions): Promise<Aria2Seeder> {
  const logPath = join(options.workDir, 'aria2.log');
  const args = [
    '--no-conf=true',
    `--dir=${options.dataDir}`,
    `--interface=${options.ip}`,
    '--disable-ipv6=true',
    `--listen-port=${options.port}`,
    '--enable-dht=false',
    '--enable-dht6=false',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    '--file-allocation=none',
    '--check-integrity=true',
    // 0.0: seed regardless of ratio, until stopped.
    '--seed-ratio=0.0',
    '--summary-interval=0',
    '--console-log-level=warn',
    `--log=${logPath}`,
    '--log-level=info',
    // aria2 ends by itself if the test process dies without cleaning up.
    `--stop-with-process=${process.pid}`,
    ...(options.trackerIntervalSec ? [`--bt-tracker-interval=${options.trackerIntervalSec}`] : []),
    ...(options.caCertificate ? ['--check-certificate=true', `--ca-certificate=${options.caCertificate}`] : []),
    options.torrentPath,
  ];
  const child = await ManagedProcess.start('aria2c', args, { name: 'aria2 seeder', cwd: options.workDir });
  return {
    ip: options.ip,
    port: options.port,
    stop: () => child.stop('SIGINT', 10_000),
    kill: () => child.kill(),
    logs: async () => {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      // The info log has a line per 16 KiB block sent; keep the rest (announces, connections, errors).
      const lines = log.split('\n').filter((line) => !PER_BLOCK_LINE.test(line));
      return `${child.logs()}\n${lines.join('\n')}`;
    },
  };
}
