import { isIPv6 } from 'node:net';
import { ipv4Text, ipv6Text } from 'src/peers/ip-text.util';

function v6(hex: string): string {
  return ipv6Text(Buffer.from(hex.replace(/:/g, ''), 'hex'), 0);
}

describe('ipv4Text', () => {
  it('prints a big-endian 32-bit address as dotted quads', () => {
    expect(ipv4Text(0xc0000207)).toBe('192.0.2.7');
    expect(ipv4Text(0)).toBe('0.0.0.0');
    expect(ipv4Text(0xffffffff)).toBe('255.255.255.255');
  });
});

describe('ipv6Text', () => {
  it('compresses the longest run of zero groups and drops leading zeros', () => {
    expect(v6('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(v6('2001:0db8:0000:0001:0000:0000:0000:0001')).toBe('2001:db8:0:1::1');
  });

  it('leaves a single zero group uncompressed (RFC 5952)', () => {
    expect(v6('2001:0db8:0000:0001:0001:0001:0001:0001')).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('compresses the first of two equally long runs', () => {
    expect(v6('2001:0000:0000:0001:0000:0000:0000:0001')).toBe('2001:0:0:1::1');
    expect(v6('2001:0000:0000:0001:0001:0000:0000:0001')).toBe('2001::1:1:0:0:1');
  });

  it('handles runs at either end', () => {
    expect(v6('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('::1');
    expect(v6('fe80:0000:0000:0000:0000:0000:0000:0000')).toBe('fe80::');
    expect(v6('0000:0000:0000:0000:0000:0000:0000:0000')).toBe('::');
  });

  it('reads at an offset and always yields a valid address', () => {
    const bytes = Buffer.concat([Buffer.from([9, 9]), Buffer.from('20010db8000000000000000000000002', 'hex')]);
    expect(ipv6Text(bytes, 2)).toBe('2001:db8::2');
    expect(isIPv6(ipv6Text(bytes, 2))).toBe(true);
  });
});
