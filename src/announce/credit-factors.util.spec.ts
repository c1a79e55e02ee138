import { creditFactors } from 'src/announce/credit-factors.util';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

const user: UserSnapshot = {
  id: 1,
  enabled: true,
  canLeech: true,
  uploadMultiplier: 1.5,
  downloadMultiplier: 0.5,
  downloadSlots: null,
};
const torrent: TorrentSnapshot = {
  infoHash: 'a'.repeat(40),
  deleted: false,
  freeleech: false,
  uploadMultiplier: 2,
  downloadMultiplier: 3,
  completed: 0,
};

describe('credit factors', () => {
  it('multiplies user and torrent multipliers', () => {
    expect(creditFactors(user, torrent, false)).toEqual({ uploadFactor: 3, downloadFactor: 1.5 });
  });

  it('credits no download on a freeleech torrent, upload still counts', () => {
    expect(creditFactors(user, { ...torrent, freeleech: true }, false)).toEqual({ uploadFactor: 3, downloadFactor: 0 });
  });

  it('credits no download anywhere under global freeleech', () => {
    expect(creditFactors(user, torrent, true).downloadFactor).toBe(0);
  });
});
