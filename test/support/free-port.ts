import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A port the kernel just handed out on `host` (from the ephemeral range), released for the caller to bind. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const port = await tryListen(host, 0);
  if (port === undefined) {
    throw new Error(`cannot bind an ephemeral port on ${host}`);
  }
  return port;
}

/**
 * A free port on `host` below the kernel's ephemeral range (32768-60999). BitTorrent clients listen on these: a port
 * inside the ephemeral range can be taken meanwhile by an outgoing connection, and some clients then move silently.
 */
export async function freeListenPort(host: string, min = 20000, max = 32000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = min + Math.floor(Math.random() * (max - min));
    // Check the wildcard address too: a client may also open a socket on 0.0.0.0 (uTP, DHT) with the same number.
    if ((await tryListen(host, candidate)) !== undefined && (await tryListen('0.0.0.0', candidate)) !== undefined) {
      return candidate;
    }
  }
  throw new Error(`no free port in ${min}-${max} on ${host}`);
}

/** A UDP port the kernel just handed out on `host`, released for the caller to bind. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
