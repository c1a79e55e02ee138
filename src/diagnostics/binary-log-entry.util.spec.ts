import type { LoggedOutcome, LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import { maxBinaryLogEntryBytes, readBinaryLogEntry, writeBinaryLogEntry } from 'src/diagnostics/binary-log-entry.util';

const REQUEST: LoggedRequest = {
  infoHash: 'ab'.repeat(20),
  event: 'completed',
  peerId: Buffer.from('-qB4650-abcdefghijkl'),
  port: 51413,
  uploaded: 2 ** 53 - 1,
  downloaded: 0,
  left: 123_456_789,
};

const ANSWERED: LoggedOutcome = {
  result: 'ok',
  sentence: null,
  retryIn: null,
  warning: 'Announcing too often: wait 30 s.',
  policy: 'AnnouncePacing',
  wouldRefuse: null,
  family: 'ipv6',
};

function roundTrip(time: number, request: LoggedRequest | null, outcome: LoggedOutcome) {
  const out = Buffer.alloc(maxBinaryLogEntryBytes(outcome) + 7);
  const end = writeBinaryLogEntry(out, 7, time, request, outcome);
  expect(end).toBeLessThanOrEqual(out.length);
  return readBinaryLogEntry(out.subarray(7, end));
}

describe('binary announce log entries', () => {
  it('read back what was written, keeping 10 bytes of the peer_id', () => {
    expect(roundTrip(1_765_000_000_123, REQUEST, ANSWERED)).toEqual({
      time: 1_765_000_000_123,
      request: { ...REQUEST, peerId: REQUEST.peerId.subarray(0, 10) },
      outcome: ANSWERED,
    });
  });

  it('keep refusals without a request, `retry in` as minutes or never, and any text', () => {
    const refused: LoggedOutcome = {
      result: 'unknown_torrent',
      sentence: 'Ce torrent n’est pas enregistré — réessayez 🙂',
      retryIn: 'never',
      warning: null,
      policy: null,
      wouldRefuse: 'peer_limit',
      family: null,
    };
    expect(roundTrip(5, null, refused)).toEqual({ time: 5, request: null, outcome: refused });
    expect(roundTrip(5, null, { ...refused, retryIn: 30, sentence: '' })?.outcome).toMatchObject({
      retryIn: 30,
      sentence: '',
    });
  });

  it('cut a text beyond 65,534 bytes at a whole character', () => {
    const long = { ...ANSWERED, warning: 'é'.repeat(40_000) };
    const warning = roundTrip(1, REQUEST, long)!.outcome.warning!;
    expect(warning).toBe('é'.repeat(32_767));
  });

  it('are not JSON entries of earlier builds, nor cut-short bytes', () => {
    expect(
      readBinaryLogEntry(Buffer.from('[1,null,null,"ok",null,null,null,null,null,null,4,null,null,null,null]')),
    ).toBe(null);
    const out = Buffer.alloc(maxBinaryLogEntryBytes(ANSWERED));
    const end = writeBinaryLogEntry(out, 0, 1, REQUEST, ANSWERED);
    expect(readBinaryLogEntry(out.subarray(0, end - 1))).toBeNull();
    expect(readBinaryLogEntry(out.subarray(0, 12))).toBeNull();
  });
});
