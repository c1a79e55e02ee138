import { cheatSignals, type CheatSignalInput } from 'src/peers/cheat-signals.util';

const base: CheatSignalInput = {
  event: 'none',
  uploaded: 2000,
  downloaded: 0,
  previous: { uploaded: 1000, downloaded: 0, lastAnnounce: 10_000 },
  rawUploaded: 1000,
  now: 20_000,
  otherLeechers: 1,
  lastLeecherLeftAt: 0,
  maxUploadRate: 0,
};

describe('cheatSignals', () => {
  it('raises nothing for an ordinary upload to a leecher', () => {
    expect(cheatSignals(base)).toBeNull();
  });

  it('flags upload with no leecher since the previous announce, unless one left after it', () => {
    expect(cheatSignals({ ...base, otherLeechers: 0 })).toEqual(['upload_without_leechers']);
    expect(cheatSignals({ ...base, otherLeechers: 0, lastLeecherLeftAt: 15_000 })).toBeNull();
    expect(cheatSignals({ ...base, otherLeechers: 0, rawUploaded: 0 })).toBeNull();
  });

  it('flags an upload rate above MAX_UPLOAD_RATE, measured over the time since the previous announce', () => {
    // 1000 bytes over 10 s: 100 B/s.
    expect(cheatSignals({ ...base, maxUploadRate: 99 })).toEqual(['upload_rate']);
    expect(cheatSignals({ ...base, maxUploadRate: 100 })).toBeNull();
  });

  it('flags completed from a peer that never downloaded, even on its first announce', () => {
    expect(cheatSignals({ ...base, event: 'completed', previous: null, rawUploaded: 0 })).toEqual([
      'completed_without_download',
    ]);
    expect(cheatSignals({ ...base, event: 'completed', downloaded: 5 })).toBeNull();
  });
});
