import { peerIdFamily, userAgentContradicts, userAgentFamilies } from 'src/clients/client-family.util';

const id = (text: string) => Buffer.from(text.padEnd(20, 'x'), 'latin1');

describe('client families', () => {
  it.each([
    ['-qB4520-', 'qbittorrent'],
    ['-TR3000-', 'transmission'],
    ['-DE211s-', 'deluge'],
    ['-UT355W-', 'utorrent'],
    ['-BT7a0S-', 'utorrent'],
    ['-lt0D80-', 'rtorrent'],
    ['A2-1-36-0-', 'aria2'],
    ['-CD0303-', 'ctorrent'],
    ['-LT1280-', undefined],
    ['M7-4-3--', undefined],
  ])('reads the family of %s: %s', (peerId, family) => {
    expect(peerIdFamily(id(peerId))).toBe(family);
  });

  it.each([
    ['qBittorrent/4.5.2', ['qbittorrent']],
    ['Transmission/3.00', ['transmission']],
    ['aria2/1.36.0', ['aria2']],
    ['rtorrent/0.9.8/0.13.8', ['rtorrent']],
    ['Enhanced-CTorrent/dnh3.3.2', ['ctorrent']],
    ['uTorrent/3550(45988)', ['utorrent']],
    ['\u00c2\u00b5Torrent/3.5', ['utorrent']],
    ['BitTorrent/7100', ['utorrent']],
    ['libtorrent/2.0.8', []],
    ['curl/8.0', []],
  ])('reads the families a User-Agent names: %s', (userAgent, families) => {
    expect(userAgentFamilies(userAgent)).toEqual(families);
  });

  describe('userAgentContradicts', () => {
    it('is true when the peer_id and the User-Agent name different families', () => {
      expect(userAgentContradicts(id('-qB4520-'), 'Transmission/4.0.5')).toBe(true);
      expect(userAgentContradicts(id('-TR4050-'), 'qBittorrent/4.5.2')).toBe(true);
      expect(userAgentContradicts(id('-UT355W-'), 'qBittorrent/4.5.2')).toBe(true);
    });

    it.each([
      ['each real client', '-qB4520-', 'qBittorrent/4.5.2'],
      ['Transmission', '-TR3000-', 'Transmission/3.00'],
      ['rtorrent with its libtorrent peer_id', '-lt0D80-', 'rtorrent/0.9.8/0.13.8'],
      ['aria2', 'A2-1-36-0-', 'aria2/1.36.0'],
      ['ctorrent', '-CD0303-', 'Enhanced-CTorrent/dnh3.3.2'],
      ['a User-Agent naming both', '-qB4520-', 'qBittorrent/4.5 (Transmission compatible)'],
      ['no User-Agent (UDP)', '-qB4520-', undefined],
      ['an empty User-Agent', '-qB4520-', ''],
      ['a User-Agent naming no family', '-qB4520-', 'Mozilla/5.0'],
      ['a peer_id of no family', '-LT1280-', 'Transmission/4.0.5'],
      ['qBittorrent is not BitTorrent', '-BT7a0S-', 'BitTorrent/7100 qBittorrent-compatible'],
    ])('is false for %s', (_, peerId, userAgent) => {
      expect(userAgentContradicts(id(peerId), userAgent)).toBe(false);
    });
  });
});
