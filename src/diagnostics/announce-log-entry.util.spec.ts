import { MemoryAnnounceLog } from 'src/diagnostics/announce-log';
import { decodeLogEntry, encodeLogEntry, type AnnounceLogEntry } from 'src/diagnostics/announce-log-entry.util';

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

describe('the announce log entry', () => {
  it('round-trips through its compact encoding', () => {
    const text = encodeLogEntry(entry);
    expect(text.length).toBeLessThan(256);
    expect(decodeLogEntry(text)).toEqual(entry);
  });

  it('reads something that is no entry as null', () => {
    expect(decodeLogEntry('not json')).toBeNull();
    expect(decodeLogEntry('{"time": 1}')).toBeNull();
    expect(decodeLogEntry('[1, 2]')).toBeNull();
  });
});

describe('the memory announce log', () => {
  it('keeps the last `size` entries of each user, latest first', async () => {
    const log = new MemoryAnnounceLog(3, 60_000);
    for (const text of ['a', 'b', 'c', 'd']) {
      log.record(1, text);
    }
    log.record(2, 'x');
    expect(await log.read(1)).toEqual(['d', 'c', 'b']);
    expect(await log.read(2)).toEqual(['x']);
    expect(await log.read(3)).toEqual([]);
  });
});
