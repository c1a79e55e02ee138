import { readTorrentItem, readUserItem } from 'src/admin/common/bulk-item.util';

describe('bulk upsert items', () => {
  it('reads a user, absent fields as null', () => {
    expect(readUserItem({ id: 3, canLeech: false })).toEqual({
      id: 3,
      passkey: null,
      enabled: null,
      canLeech: false,
      uploadMultiplier: null,
      downloadMultiplier: null,
      downloadSlots: undefined,
    });
  });

  it('reads download slots: null is no limit, absent is not given', () => {
    expect(readUserItem({ id: 3, downloadSlots: null })).toMatchObject({ downloadSlots: null });
    expect(readUserItem({ id: 3, downloadSlots: 0 })).toMatchObject({ downloadSlots: 0 });
    expect(readUserItem({ id: 3, downloadSlots: 4 })).toMatchObject({ downloadSlots: 4 });
  });

  it.each([
    [null, /object/],
    [{}, /id must be a positive integer/],
    [{ id: '3' }, /id/],
    [{ id: 0 }, /id/],
    [{ id: 2 ** 31 }, /must not exceed/],
    [{ id: 3, passkey: 'x' }, /passkey/],
    [{ id: 3, enabled: 1 }, /enabled/],
    [{ id: 3, uploadMultiplier: 101 }, /uploadMultiplier/],
    [{ id: 3, ratio: 1 }, /ratio/],
    [{ id: 3, downloadSlots: -1 }, /downloadSlots/],
    [{ id: 3, downloadSlots: 1.5 }, /downloadSlots/],
    [{ id: 3, downloadSlots: '2' }, /downloadSlots/],
    [{ id: 3, downloadSlots: 10_001 }, /downloadSlots must not exceed/],
  ])('refuses the user %o', (item, message) => {
    expect(readUserItem(item)).toMatch(message);
  });

  it('reads a torrent: lowercase hash, null clears a site id, absent keeps it', () => {
    expect(readTorrentItem({ infoHash: 'AB'.repeat(20), id: null, freeleech: true })).toEqual({
      infoHash: 'ab'.repeat(20),
      siteId: null,
      uploaderId: undefined,
      freeleech: true,
      uploadMultiplier: null,
      downloadMultiplier: null,
    });
    expect(readTorrentItem({ infoHash: 'xyz' })).toMatch(/infoHash/);
    expect(readTorrentItem({ infoHash: 'a'.repeat(40), uploaderId: 1.5 })).toMatch(/uploaderId/);
  });
});
