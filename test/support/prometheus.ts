import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { GiveUp, waitFor } from 'test/support/wait-for';

export interface Prometheus {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** GET on the HTTP API (`/api/v1/...`); the `data` of a success, else throws. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<number | null>;
  logs(): string;
}

/**
 * Debian's Prometheus on loopback, scraping `targets` (host:port, path /metrics) every second as the job `tracker`
 * and loading `ruleFiles`, its database under `workDir`. Resolves once /-/ready answers 200.
 */
export async function startPrometheus(options: {
  workDir: string;
  targets: string[];
  ruleFiles: string[];
}): Promise<Prometheus> {
  await mkdir(join(options.workDir, 'data'), { recursive: true });
  const configPath = join(options.workDir, 'prometheus.yml');
  await writeFile(
    configPath,
    JSON.stringify({
      // YAML is a superset of JSON.
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: options.ruleFiles,
      scrape_configs: [{ job_name: 'tracker', static_configs: [{ targets: options.targets }] }],
    }),
  );
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = await ManagedProcess.start(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(options.workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { name: 'prometheus', cwd: options.workDir },
  );
  try {
    await waitFor(
      async () => {
        if (!child.running) {
          throw new GiveUp(`prometheus exited:\n${child.logs()}`);
        }
        const response = await fetch(`${baseUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        return response.status === 200 ? true : undefined;
      },
      { description: 'Prometheus ready', timeoutMs: 30_000 },
    );
  } catch (error) {
    await child.kill();
    throw error;
  }
  return {
    baseUrl,
    async api<T>(path: string): Promise<T> {
      const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') {
        throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
      }
      return body.data;
    },
    stop: () => child.stop('SIGTERM', 10_000),
    logs: () => child.logs(),
  };
}
