import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess } from 'test/support/managed-process';
import { GiveUp, waitFor } from 'test/support/wait-for';

export interface Nginx {
  stop(): Promise<number | null>;
  logs(): Promise<string>;
}

/**
 * Debian's nginx in the foreground with `serverConfig` (an `http`-level file such as deploy/nginx/tracker.conf)
 * inside a minimal main configuration, every path under `workDir`. Resolves once `port` on 127.0.0.1 accepts.
 */
export async function startNginx(options: { serverConfig: string; workDir: string; port: number }): Promise<Nginx> {
  const { workDir } = options;
  await mkdir(join(workDir, 'temp'), { recursive: true });
  const errorLog = join(workDir, 'error.log');
  const mainConfig = join(workDir, 'nginx.conf');
  await writeFile(
    mainConfig,
    [
      `pid ${join(workDir, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'worker_processes 1;',
      'events { worker_connections 256; }',
      'http {',
      `  client_body_temp_path ${join(workDir, 'temp', 'body')};`,
      `  proxy_temp_path ${join(workDir, 'temp', 'proxy')};`,
      `  fastcgi_temp_path ${join(workDir, 'temp', 'fastcgi')};`,
      `  uwsgi_temp_path ${join(workDir, 'temp', 'uwsgi')};`,
      `  scgi_temp_path ${join(workDir, 'temp', 'scgi')};`,
      `  include ${options.serverConfig};`,
      '}',
      '',
    ].join('\n'),
  );
  const child = await ManagedProcess.start(
    'nginx',
    ['-p', workDir, '-e', errorLog, '-c', mainConfig, '-g', 'daemon off;'],
    { name: 'nginx', cwd: workDir },
  );
  const logs = async () => `${child.logs()}\n${await readFile(errorLog, 'utf8').catch(() => '')}`;
  try {
    await waitFor(
      async () => {
        if (!child.running) {
          throw new GiveUp(`nginx exited: ${await logs()}`);
        }
        return (await accepts(options.port)) ? true : undefined;
      },
      { description: `nginx on 127.0.0.1:${options.port}`, timeoutMs: 15_000 },
    );
  } catch (error) {
    await child.kill();
    throw new Error(`${(error as Error).message}\n${await logs()}`, { cause: error });
  }
  // SIGQUIT: nginx's graceful stop.
  return { stop: () => child.stop('SIGQUIT', 10_000), logs };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
