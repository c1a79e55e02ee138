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
    });
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
