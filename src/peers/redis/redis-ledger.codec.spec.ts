import { decodePendingAccount } from 'src/peers/redis/redis-ledger.codec';

describe('decodePendingAccount', () => {
  it('reads the sums, the optional completion and the latest address', () => {
    const field = Buffer.from([0, 0, 1, 0]);
    const value = Buffer.alloc(64);
    [10, 20, 30, 40, 5000, -1, 100, 200].forEach((v, i) => value.writeDoubleBE(v, i * 8));
    const account = decodePendingAccount('ab'.repeat(20), field, Buffer.concat([value, Buffer.from('10.0.0.9')]));
    expect(account).toEqual({
      userId: 256,
      infoHash: 'ab'.repeat(20),
      uploaded: 10,
      downloaded: 20,
      rawUploaded: 30,
      rawDownloaded: 40,
      seedTime: 5000,
      completedAt: null,
      firstAnnounce: 100,
      lastAnnounce: 200,
      lastIp: '10.0.0.9',
    });
  });
});
