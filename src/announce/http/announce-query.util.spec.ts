import { parseAnnounceRequest } from 'src/announce/http/announce-query.util';
import { splitQuery } from 'src/announce/http/raw-query.util';

const HASH = '%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A';
const PEER = '-qB4520-kpE-BqAwwR7F';
const base = { info_hash: HASH, peer_id: PEER, port: '6881', uploaded: '0', downloaded: '0', left: '100' };

function parse(params: Record<string, string | undefined>) {
  const query = Object.entries({ ...base, ...params })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return parseAnnounceRequest(splitQuery(query));
}

describe('announce request', () => {
  it('reads a qBittorrent announce', () => {
    const request = parse({ event: 'started', numwant: '200', compact: '1', no_peer_id: '1', corrupt: '0' });
    expect(request).toMatchObject({
      infoHash: '123456789abcdef123456789abcdef123456789a',
      port: 6881,
      left: 100,
      event: 'started',
      compact: true,
      noPeerId: true,
      numwant: 200,
    });
    expect(request.peerId.toString('latin1')).toBe(PEER);
  });

  it('keeps totals exact up to 2^53-1', () => {
    expect(parse({ uploaded: '9007199254740991' }).uploaded).toBe(9007199254740991);
    expect(() => parse({ uploaded: '9007199254740992' })).toThrow(/Invalid uploaded/);
  });

  it.each([
    [{ info_hash: undefined }, /Missing info_hash/],
    [{ info_hash: '%12%34' }, /Invalid info_hash: must be 20 bytes/],
    [{ peer_id: 'short' }, /Invalid peer_id/],
    [{ port: undefined }, /Missing port/],
    [{ port: '0' }, /Invalid port/],
    [{ port: '65536' }, /Invalid port/],
    [{ uploaded: '-1' }, /Invalid uploaded/],
    [{ downloaded: '1.5' }, /Invalid downloaded/],
    [{ left: '' }, /Invalid left/],
    [{ left: undefined }, /Missing left/],
    [{ event: 'finished' }, /Unknown event: finished/],
  ])('refuses %o', (params, message) => {
    expect(() => parse(params)).toThrow(message);
  });

  it('percent-decodes text values before reading them', () => {
    expect(parse({ event: '%73topped', port: '0' }).event).toBe('stopped');
    expect(parse({ compact: '%30', numwant: '%31%30', uploaded: '%35' })).toMatchObject({
      compact: false,
      numwant: 10,
      uploaded: 5,
    });
    expect(() => parse({ event: 'stop%ZZ' })).toThrow(/Unknown event/);
  });

  it('accepts port 0 only with stopped', () => {
    expect(parse({ port: '0', event: 'stopped' }).port).toBe(0);
  });

  it('treats empty, paused and absent events as the contract says', () => {
    expect(parse({ event: 'empty' }).event).toBe('none');
    expect(parse({ event: 'paused' }).event).toBe('paused');
    expect(parse({}).event).toBe('none');
  });

  it('defaults to compact and leaves a bad numwant to the default', () => {
    expect(parse({}).compact).toBe(true);
    expect(parse({ compact: '0' }).compact).toBe(false);
    expect(parse({ numwant: 'lots' }).numwant).toBeNull();
  });
});
