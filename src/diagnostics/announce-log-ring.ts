import type { LoggedOutcome, LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

/** Bytes of the peer_id the log keeps (announce-log-entry.util: enough for the client's name). */
const PEER_ID_PREFIX = 10;

// Per entry: the numbers, then the texts (references to strings the announce already holds, never copies).
const TIME = 0;
const PORT = 1;
const UPLOADED = 2;
const DOWNLOADED = 3;
const LEFT = 4;
const RETRY_IN = 5;
const NUMBERS = 6;
const INFO_HASH = 0;
const EVENT = 1;
const RESULT = 2;
const SENTENCE = 3;
const WARNING = 4;
const POLICY = 5;
const WOULD_REFUSE = 6;
const TEXTS = 7;

/** `retry in` in the numbers: none, or 'never'. */
const NO_RETRY = -1;
const RETRY_NEVER = -2;
/** Family byte: 0 for none, else 4 or 6; 0x80 set when the entry has a request. */
const HAS_REQUEST = 0x80;

export interface RingEntry {
  time: number;
  request: LoggedRequest | null;
  outcome: LoggedOutcome;
}

/**
 * One user's last `size` announce log entries, in preallocated typed arrays: writing one copies numbers and bytes and
 * keeps references, so that the announce path allocates nothing that lives on (a string per entry did).
 */
export class AnnounceLogRing {
  private readonly numbers: Float64Array;
  private readonly peerIds: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly texts: (string | null)[];
  private next = 0;
  private count = 0;

  constructor(private readonly size: number) {
    this.numbers = new Float64Array(size * NUMBERS);
    this.peerIds = new Uint8Array(size * PEER_ID_PREFIX);
    this.flags = new Uint8Array(size);
    this.texts = new Array<string | null>(size * TEXTS).fill(null);
  }

  write(time: number, request: LoggedRequest | null, outcome: LoggedOutcome): void {
    const at = this.next;
    this.next = (at + 1) % this.size;
    this.count = Math.min(this.count + 1, this.size);
    const n = at * NUMBERS;
    const t = at * TEXTS;
    const retryIn = outcome.retryIn;
    this.numbers[n + TIME] = time;
    this.numbers[n + RETRY_IN] = retryIn === null ? NO_RETRY : retryIn === 'never' ? RETRY_NEVER : retryIn;
    this.texts[t + RESULT] = outcome.result;
    this.texts[t + SENTENCE] = outcome.sentence;
    this.texts[t + WARNING] = outcome.warning;
    this.texts[t + POLICY] = outcome.policy;
    this.texts[t + WOULD_REFUSE] = outcome.wouldRefuse;
    const family = outcome.family === null ? 0 : outcome.family === 'ipv4' ? 4 : 6;
    if (request === null) {
      this.flags[at] = family;
      this.texts[t + INFO_HASH] = null;
      this.texts[t + EVENT] = null;
      return;
    }
    this.flags[at] = family | HAS_REQUEST;
    this.numbers[n + PORT] = request.port;
    this.numbers[n + UPLOADED] = request.uploaded;
    this.numbers[n + DOWNLOADED] = request.downloaded;
    this.numbers[n + LEFT] = request.left;
    this.texts[t + INFO_HASH] = request.infoHash;
    this.texts[t + EVENT] = request.event;
    const prefix = Math.min(PEER_ID_PREFIX, request.peerId.length);
    this.peerIds.fill(0, at * PEER_ID_PREFIX, (at + 1) * PEER_ID_PREFIX);
    this.peerIds.set(request.peerId.subarray(0, prefix), at * PEER_ID_PREFIX);
  }

  /** The kept entries, latest first. */
  latestFirst(): RingEntry[] {
    const entries: RingEntry[] = [];
    for (let i = 1; i <= this.count; i++) {
      entries.push(this.entry((this.next - i + this.size) % this.size));
    }
    return entries;
  }

  private entry(at: number): RingEntry {
    const n = at * NUMBERS;
    const t = at * TEXTS;
    const flags = this.flags[at];
    const family = flags & ~HAS_REQUEST;
    const retryIn = this.numbers[n + RETRY_IN];
    const outcome: LoggedOutcome = {
      result: this.texts[t + RESULT]!,
      sentence: this.texts[t + SENTENCE],
      retryIn: retryIn === NO_RETRY ? null : retryIn === RETRY_NEVER ? 'never' : retryIn,
      warning: this.texts[t + WARNING],
      policy: this.texts[t + POLICY],
      wouldRefuse: this.texts[t + WOULD_REFUSE],
      family: family === 0 ? null : family === 4 ? 'ipv4' : 'ipv6',
    };
    const request: LoggedRequest | null =
      (flags & HAS_REQUEST) === 0
        ? null
        : {
            infoHash: this.texts[t + INFO_HASH]!,
            event: this.texts[t + EVENT] as AnnounceEvent,
            peerId: Buffer.from(this.peerIds.subarray(at * PEER_ID_PREFIX, (at + 1) * PEER_ID_PREFIX)),
            port: this.numbers[n + PORT],
            uploaded: this.numbers[n + UPLOADED],
            downloaded: this.numbers[n + DOWNLOADED],
            left: this.numbers[n + LEFT],
          };
    return { time: this.numbers[n + TIME], request, outcome };
  }
}
