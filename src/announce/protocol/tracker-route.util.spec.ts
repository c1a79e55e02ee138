import { trackerRoute } from 'src/announce/protocol/tracker-route.util';

describe('trackerRoute', () => {
  it.each([
    ['/0123456789abcdef0123456789abcdef/announce?info_hash=x', 'announce', '0123456789abcdef0123456789abcdef'],
    ['/key/scrape', 'scrape', 'key'],
    ['/%6Bey/announce', 'announce', 'key'],
    ['/%ZZ/announce', 'announce', undefined],
    ['//announce', 'announce', ''],
    ['/announce?info_hash=x', 'announce', null],
    ['/scrape', 'scrape', null],
    ['http://tracker.example:6969/key/announce?info_hash=x', 'announce', 'key'],
    ['HTTPS://t/key/scrape', 'scrape', 'key'],
  ])('reads %s as %s with passkey %p', (url, action, passkey) => {
    expect(trackerRoute(url)).toEqual({ action, passkey });
  });

  it.each([
    '/api/users',
    '/metrics',
    '/a/b/announce',
    '/key/announce/',
    '/key/announces',
    'announce',
    '/x?/announce',
    'http://t',
    'ftp://t/k/announce',
  ])('leaves %s to Fastify', (url) => {
    expect(trackerRoute(url)).toBeNull();
  });
});
