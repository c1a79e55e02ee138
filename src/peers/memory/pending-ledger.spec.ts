import { PendingLedger } from 'src/peers/memory/pending-ledger';

describe('PendingLedger', () => {
  it('sums rows of one (user, torrent), keeping the earliest first and the latest last announce and address', () => {
    const ledger = new PendingLedger();
    ledger.record(1, 'a', '10.0.0.1', 2000, false, 5, 6, 7, 8, 9);
    ledger.record(1, 'a', '10.0.0.2', 1000, false, 1, 1, 1, 1, 1);
    ledger.record(1, 'a', '10.0.0.3', 3000, false, 1, 1, 1, 1, 1);
    expect(ledger.claim(10)?.accounts).toEqual([
      {
        userId: 1,
        infoHash: 'a',
        uploaded: 7,
        downloaded: 8,
        rawUploaded: 9,
        rawDownloaded: 10,
        seedTime: 11,
        completedAt: null,
        firstAnnounce: 1000,
        lastAnnounce: 3000,
        lastIp: '10.0.0.3',
      },
    ]);
  });

  it('keeps the earliest completion', () => {
    const ledger = new PendingLedger();
    ledger.record(1, 'a', 'ip', 1000, false, 0, 0, 0, 0, 0);
    ledger.record(1, 'a', 'ip', 3000, true, 0, 0, 0, 0, 0);
    ledger.record(1, 'a', 'ip', 2000, true, 0, 0, 0, 0, 0);
    expect(ledger.claim(10)?.accounts[0].completedAt).toBe(2000);
  });

  it('returns the claimed batch until it is acknowledged, and rows recorded meanwhile after', () => {
    const ledger = new PendingLedger();
    expect(ledger.claim(10)).toBeNull();
    ledger.record(1, 'a', 'ip', 1000, false, 1, 0, 1, 0, 0);
    const batch = ledger.claim(10);
    ledger.record(1, 'a', 'ip', 2000, false, 2, 0, 2, 0, 0);
    expect(ledger.claim(10)).toBe(batch);
    ledger.ack('not-this-one');
    expect(ledger.claim(10)).toBe(batch);
    ledger.ack(batch?.id ?? '');
    const next = ledger.claim(10);
    expect(next?.id).not.toBe(batch?.id);
    expect(next?.accounts).toMatchObject([{ uploaded: 2, firstAnnounce: 2000 }]);
  });

  it('claims at most the asked number of rows, at least one', () => {
    const ledger = new PendingLedger();
    for (let u = 0; u < 5; u++) {
      ledger.record(u, 'a', 'ip', 1000, false, 0, 0, 0, 0, 0);
    }
    const first = ledger.claim(3);
    expect(first?.accounts).toHaveLength(3);
    ledger.ack(first?.id ?? '');
    const second = ledger.claim(0);
    expect(second?.accounts).toHaveLength(1);
    expect(ledger.openRows).toBe(1);
  });
});

describe('pending ledger bound', () => {
  it('refuses only new rows past the bound, and takes them again once a batch is acknowledged', () => {
    const ledger = new PendingLedger(2);
    const hash = (n: number) => n.toString(16).padStart(40, '0');
    ledger.record(1, hash(1), '10.0.0.1', 1, false, 1, 1, 1, 1, 0);
    ledger.record(2, hash(1), '10.0.0.1', 1, false, 1, 1, 1, 1, 0);
    expect(ledger.accepts(1, hash(1))).toBe(true);
    expect(ledger.accepts(3, hash(1))).toBe(false);
    const batch = ledger.claim(10)!;
    expect(ledger.accepts(3, hash(1))).toBe(true);
    ledger.ack(batch.id);
    expect(ledger.accepts(3, hash(1))).toBe(true);
  });
});
