import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export const PROTOCOL_ID = 0x41727101980n;

export interface UdpAnnounceParams {
  connectionId: Buffer;
  infoHash: Buffer;
  peerId: Buffer;
  downloaded?: bigint;
  left?: bigint;
  uploaded?: bigint;
  /** 0 none, 1 completed, 2 started, 3 stopped. */
  event?: number;
  /** The packet's IP field; a tracker must never believe it. */
  ipField?: number;
  numWant?: number;
  port?: number;
  /** BEP 41 URL data (`/<passkey>/announce`), split into options of at most `urlChunk` bytes. */
  urlData?: string;
  urlChunk?: number;
}

export type UdpAnswer =
  | { action: 'announce'; interval: number; leechers: number; seeders: number; peers: string[]; bytes: Buffer }
  | { action: 'scrape'; entries: { seeders: number; completed: number; leechers: number }[]; bytes: Buffer }
  | { action: 'connect'; connectionId: Buffer; bytes: Buffer }
  | { action: 'error'; message: string; bytes: Buffer };

/**
 * A BEP 15 client for the tests: builds packets by hand (so tests can also send wrong ones), and matches answers by
 * transaction id. Every datagram it receives is kept in `received`, answered or not.
 */
export class UdpTrackerClient {
  readonly received: Buffer[] = [];
  private readonly waiting = new Map<number, (answer: Buffer) => void>();

  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
    private readonly port: number,
    /** Over IPv6, peers are 18 bytes each (BEP 15). */
    private readonly ipv6: boolean,
  ) {
    socket.on('message', (message) => {
      this.received.push(message);
      if (message.length >= 8) {
        const resolve = this.waiting.get(message.readUInt32BE(4));
        this.waiting.delete(message.readUInt32BE(4));
        resolve?.(message);
      }
    });
  }

  /** A client bound to `localAddress` (127.0.0.x or ::1), talking to host:port. */
  static async open(host: string, port: number, localAddress = host): Promise<UdpTrackerClient> {
    const socket = createSocket(localAddress.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
    return new UdpTrackerClient(socket, host, port, localAddress.includes(':'));
  }

  /** Sends `packet` (whose bytes 12-15 are its transaction id, as in every request) and resolves with its answer. */
  async send(packet: Buffer, timeoutMs = 3_000): Promise<UdpAnswer> {
    const transactionId = packet.readUInt32BE(12);
    const answer = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(transactionId);
        reject(new Error(`no answer to transaction ${transactionId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(transactionId, (bytes) => {
        clearTimeout(timer);
        resolve(bytes);
      });
    });
    this.sendOnly(packet);
    return decodeAnswer(await answer, this.ipv6);
  }

  /** Sends without waiting for an answer. */
  sendOnly(packet: Buffer): void {
    this.socket.send(packet, this.port, this.host);
  }

  async connect(): Promise<Buffer> {
    const answer = await this.send(connectPacket());
    if (answer.action !== 'connect') {
      throw new Error(`connect answered ${JSON.stringify(answer)}`);
    }
    return answer.connectionId;
  }

  announce(params: UdpAnnounceParams): Promise<UdpAnswer> {
    return this.send(announcePacket(params));
  }

  scrape(connectionId: Buffer, infoHashes: Buffer[]): Promise<UdpAnswer> {
    return this.send(scrapePacket(connectionId, infoHashes));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function transactionId(): number {
  return randomBytes(4).readUInt32BE(0);
}

export function connectPacket(): Buffer {
  const packet = Buffer.alloc(16);
  packet.writeBigUInt64BE(PROTOCOL_ID, 0);
  packet.writeUInt32BE(0, 8);
  packet.writeUInt32BE(transactionId(), 12);
  return packet;
}

export function announcePacket(params: UdpAnnounceParams): Buffer {
  const packet = Buffer.alloc(98);
  params.connectionId.copy(packet, 0);
  packet.writeUInt32BE(1, 8);
  packet.writeUInt32BE(transactionId(), 12);
  params.infoHash.copy(packet, 16);
  params.peerId.copy(packet, 36);
  packet.writeBigUInt64BE(params.downloaded ?? 0n, 56);
  packet.writeBigUInt64BE(params.left ?? 0n, 64);
  packet.writeBigUInt64BE(params.uploaded ?? 0n, 72);
  packet.writeUInt32BE(params.event ?? 0, 80);
  packet.writeUInt32BE(params.ipField ?? 0, 84);
  packet.writeUInt32BE(randomBytes(4).readUInt32BE(0), 88);
  packet.writeInt32BE(params.numWant ?? -1, 92);
  packet.writeUInt16BE(params.port ?? 6881, 96);
  if (params.urlData === undefined) {
    return packet;
  }
  const options: Buffer[] = [packet];
  const url = Buffer.from(params.urlData, 'latin1');
  const chunk = params.urlChunk ?? 255;
  for (let at = 0; at < url.length; at += chunk) {
    const piece = url.subarray(at, at + chunk);
    options.push(Buffer.from([2, piece.length]), piece);
  }
  options.push(Buffer.from([0]));
  return Buffer.concat(options);
}

export function scrapePacket(connectionId: Buffer, infoHashes: Buffer[]): Buffer {
  const head = Buffer.alloc(16);
  connectionId.copy(head, 0);
  head.writeUInt32BE(2, 8);
  head.writeUInt32BE(transactionId(), 12);
  return Buffer.concat([head, ...infoHashes]);
}

export function decodeAnswer(bytes: Buffer, ipv6: boolean): UdpAnswer {
  const action = bytes.readUInt32BE(0);
  switch (action) {
    case 0:
      return { action: 'connect', connectionId: bytes.subarray(8, 16), bytes };
    case 1: {
      return {
        action: 'announce',
        interval: bytes.readUInt32BE(8),
        leechers: bytes.readUInt32BE(12),
        seeders: bytes.readUInt32BE(16),
        peers: ipv6 ? peers6(bytes.subarray(20)) : peers4(bytes.subarray(20)),
        bytes,
      };
    }
    case 2: {
      const entries = [];
      for (let at = 8; at + 12 <= bytes.length; at += 12) {
        entries.push({
          seeders: bytes.readUInt32BE(at),
          completed: bytes.readUInt32BE(at + 4),
          leechers: bytes.readUInt32BE(at + 8),
        });
      }
      return { action: 'scrape', entries, bytes };
    }
    case 3:
      return { action: 'error', message: bytes.subarray(8).toString('utf8'), bytes };
    default:
      throw new Error(`unknown action ${action}`);
  }
}

/** 6-byte peers as `a.b.c.d:port`. */
export function peers4(compact: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 6 <= compact.length; at += 6) {
    out.push(`${compact[at]}.${compact[at + 1]}.${compact[at + 2]}.${compact[at + 3]}:${compact.readUInt16BE(at + 4)}`);
  }
  return out;
}

/** 18-byte peers as `[v6]:port` (groups without leading zeros, no :: shortening). */
export function peers6(compact: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 18 <= compact.length; at += 18) {
    const groups = [];
    for (let g = 0; g < 8; g++) {
      groups.push(compact.readUInt16BE(at + g * 2).toString(16));
    }
    out.push(`[${groups.join(':')}]:${compact.readUInt16BE(at + 16)}`);
  }
  return out;
}
