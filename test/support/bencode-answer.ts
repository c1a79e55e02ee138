import { bdecode, type DecodedValue } from 'src/bencode/bencode.util';

/** A decoded tracker answer with typed accessors, for assertions. */
export class Answer {
  readonly dict: Map<string, DecodedValue>;

  constructor(readonly raw: Buffer) {
    this.dict = bdecode(raw) as Map<string, DecodedValue>;
  }

  get failure(): string | undefined {
    return (this.dict.get('failure reason') as Buffer | undefined)?.toString();
  }

  int(key: string): number | undefined {
    return this.dict.get(key) as number | undefined;
  }

  /** Compact IPv4 peers as `ip:port`. */
  get peers(): string[] {
    const bytes = this.dict.get('peers') as Buffer;
    const out: string[] = [];
    for (let i = 0; i + 6 <= bytes.length; i += 6) {
      out.push(`${bytes[i]}.${bytes[i + 1]}.${bytes[i + 2]}.${bytes[i + 3]}:${bytes.readUInt16BE(i + 4)}`);
    }
    return out;
  }

  get peerPorts(): number[] {
    return this.peers.map((peer) => Number(peer.split(':')[1]));
  }
}
