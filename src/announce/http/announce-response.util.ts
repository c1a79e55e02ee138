import type { SelectedPeers } from 'src/peers/peer-store.types';

/** What the success answer holds (an AnnounceOutcome is one). */
export interface AnnounceAnswer {
  interval: number;
  minInterval: number;
  complete: number;
  incomplete: number;
  downloaded: number;
  peers: SelectedPeers;
  /** BEP 3's `warning message`, the last key. */
  warning?: string;
}

/** How the client asked for its peers. */
export interface PeerListForm {
  compact: boolean;
  /** Non-compact only: leave `peer id` out of each peer dict. */
  noPeerId: boolean;
}

/**
 * The success answer, bencoded by hand: this runs on every announce, so it writes the keys in their sorted
 * order (complete, downloaded, incomplete, interval, min interval, peers, peers6, warning message) straight into one
 * buffer. The form is a second argument rather than merged into the answer: copying the outcome into a new object
 * cost more than the encoding.
 */
export function encodeAnnounceAnswer(answer: AnnounceAnswer, form: PeerListForm): Buffer {
  const head =
    `d8:completei${answer.complete}e10:downloadedi${answer.downloaded}e10:incompletei${answer.incomplete}e` +
    `8:intervali${answer.interval}e12:min intervali${answer.minInterval}e5:peers`;
  const { compact4, compact6 } = answer.peers;
  const tail = answer.warning === undefined ? END : warningThenEnd(answer.warning);
  if (!form.compact) {
    return Buffer.concat([Buffer.from(head, 'latin1'), encodePeerDicts(answer.peers, form.noPeerId), tail]);
  }
  const peers = `${head}${compact4.length}:`;
  const peers6 = compact6.length > 0 ? `6:peers6${compact6.length}:` : '';
  const out = Buffer.allocUnsafe(peers.length + compact4.length + peers6.length + compact6.length + tail.length);
  let at = out.write(peers, 0, 'latin1');
  at += compact4.copy(out, at);
  if (peers6) {
    at += out.write(peers6, at, 'latin1');
    at += compact6.copy(out, at);
  }
  tail.copy(out, at);
  return out;
}

const END = Buffer.from('e');

/** `15:warning message<n>:<utf-8 text>e`: the byte string's length counts UTF-8 bytes, not characters. */
function warningThenEnd(warning: string): Buffer {
  const text = Buffer.from(warning, 'utf8');
  return Buffer.concat([Buffer.from(`15:warning message${text.length}:`, 'latin1'), text, END]);
}

/** BEP 3's original form: a list of {ip, peer id, port} dicts, IPv4 and IPv6 together. */
function encodePeerDicts(peers: SelectedPeers, noPeerId: boolean): Buffer {
  const parts: Buffer[] = [Buffer.from('l')];
  const families = [
    { compact: peers.compact4, ids: peers.ids4, size: 4 },
    { compact: peers.compact6, ids: peers.ids6, size: 16 },
  ];
  for (const { compact, ids, size } of families) {
    const stride = size + 2;
    for (let offset = 0, index = 0; offset < compact.length; offset += stride, index++) {
      const ip = formatIp(compact.subarray(offset, offset + size));
      const port = compact.readUInt16BE(offset + size);
      parts.push(Buffer.from(`d2:ip${ip.length}:${ip}`, 'latin1'));
      if (!noPeerId && ids) {
        parts.push(Buffer.from('7:peer id20:', 'latin1'), ids.subarray(index * 20, index * 20 + 20));
      }
      parts.push(Buffer.from(`4:porti${port}ee`, 'latin1'));
    }
  }
  parts.push(END);
  return Buffer.concat(parts);
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) {
    return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(bytes.readUInt16BE(i).toString(16));
  }
  return groups
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:{3,}/, '::');
}
