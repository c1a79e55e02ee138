import { azureusVersion, formatVersion, parseVersion } from 'src/clients/client-version.util';

const id = (text: string) => Buffer.from(text.padEnd(20, 'x'), 'latin1');

describe('client versions in Azureus-style peer_ids', () => {
  it.each([
    ['-qB4250-', '4.2.5'],
    ['-qB4520-', '4.5.2'],
    ['-TR4050-', '4.0.5'],
    ['-TR3000-', '3.0'],
    ['-TR2940-', '2.9.4'],
    ['-lt0D80-', '0.13.8'],
    ['-UT355W-', '3.5.5.32'],
  ])('reads %s as %s', (peerId, version) => {
    expect(azureusVersion(id(peerId))).toBe(parseVersion(version));
    expect(formatVersion(azureusVersion(id(peerId)))).toBe(version);
  });

  it.each([
    ['a Mainline-style peer_id', 'M7-4-3--'],
    ['aria2', 'A2-1-36-0-'],
    ['a version character outside 0-9A-Za-z', '-qB4.50-'],
    ['no dash after the version', '-qB45201'],
    ['a short peer_id', '-qB45'],
  ])('finds no version in %s', (_, peerId) => {
    expect(azureusVersion(Buffer.from(peerId, 'latin1'))).toBe(-1);
  });

  it('orders versions as numbers: 4.2.5 < 4.3 = 4.3.0 < 4.3.0.1 < 4.10 < 5', () => {
    const ordered = ['4.2.5', '4.3', '4.3.0.1', '4.10', '5'].map(parseVersion);
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(parseVersion('4.3')).toBe(parseVersion('4.3.0.0'));
    expect(azureusVersion(id('-qB4250-'))).toBeLessThan(parseVersion('4.3'));
    expect(azureusVersion(id('-qB4300-'))).toBe(parseVersion('4.3'));
  });

  it.each(['', '4.', '.4', '4..3', '36', '4.36', '1.2.3.4.5', 'v4', '4.3-beta', ' 4.3'])(
    'refuses the bound %p',
    (text) => {
      expect(() => parseVersion(text)).toThrow('Not a version');
    },
  );
});
