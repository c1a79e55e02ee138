import { MemoryAnnounceLog } from 'src/diagnostics/announce-log';
import { decodeLogEntry, encodeLogEntry, type AnnounceLogEntry } from 'src/diagnostics/announce-log-entry.util';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

const entry: AnnounceLogEntry = {
  time: 1_769_860_800_000,
  infoHash: 'c'.repeat(40),
  event: 'started',
  result: 'leech_not_allowed',
  sentence: 'You are "not" allowed to download.',
  retryIn: 'never',
  warning: null,
  policy: 'LeechPermissionPolicy',
  wouldRefuse: null,
  peerIdPrefix: '2d7142343532302d6162',
  family: 'ipv6',
  port: 51413,
  uploaded: 2 ** 50,
  downloaded: 0,
  left: 100,
};

/** The request `entry` was logged from. */
const request = {
  infoHash: entry.infoHash!,
  event: entry.event!,
  peerId: Buffer.from('-qB4520-ab' + 'x'.repeat(10), 'latin1'),
  port: entry.port!,
  uploaded: entry.uploaded!,
  downloaded: entry.downloaded!,
  left: entry.left!,
};

describe('the announce log entry', () => {
  it('round-trips through its compact encoding', () => {
    const text = encodeLogEntry(entry.time, request, entry);
    expect(text.length).toBeLessThan(256);
    expect(decodeLogEntry(text)).toEqual(entry);
    const unreadable = { ...entry, infoHash: null, event: null, peerIdPrefix: null, port: null, family: null };
    const bare = { ...unreadable, uploaded: null, downloaded: null, left: null, retryIn: 5, sentence: null };
    expect(decodeLogEntry(encodeLogEntry(entry.time, null, bare))).toEqual(bare);
    const events: AnnounceEvent[] = ['none', 'started', 'completed', 'stopped', 'paused'];
    for (const event of events) {
      expect(decodeLogEntry(encodeLogEntry(1, { ...request, event }, entry))?.event).toBe(event);
    }
  });

  it('reads something that is no entry as null', () => {
    expect(decodeLogEntry('not json')).toBeNull();
    expect(decodeLogEntry('{"time": 1}')).toBeNull();
    expect(decodeLogEntry('[1, 2]')).toBeNull();
  });
});

describe('the memory announce log', () => {
  const times = async (log: MemoryAnnounceLog, userId: number) =>
    (await log.read(userId)).map((text) => decodeLogEntry(text)!.time);

  it('keeps the last `size` entries of each user, latest first', async () => {
    const log = new MemoryAnnounceLog(3, 60_000);
    const now = Date.now();
    for (const time of [now - 4, now - 3, now - 2, now - 1]) {
      log.record(1, time, request, entry);
    }
    log.record(2, now, request, entry);
    expect(await times(log, 1)).toEqual([now - 1, now - 2, now - 3]);
    expect(await times(log, 2)).toEqual([now]);
    expect(await times(log, 3)).toEqual([]);
  });

  it('answers each entry as encodeLogEntry writes it, with or without a request, and leaves out expired ones', async () => {
    const log = new MemoryAnnounceLog(5, 60_000);
    const now = Date.now();
    const answered = {
      ...entry,
      result: 'ok',
      sentence: null,
      retryIn: null,
      warning: 'slow down',
      family: 'ipv4' as const,
    };
    log.record(1, now - 120_000, request, answered);
    log.record(1, now - 1, request, answered);
    log.record(1, now, null, { ...entry, retryIn: 5, family: null });
    expect(await log.read(1)).toEqual([
      encodeLogEntry(now, null, { ...entry, retryIn: 5, family: null }),
      encodeLogEntry(now - 1, request, answered),
    ]);
  });
});
