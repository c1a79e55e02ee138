/**
 * Client versions in Azureus-style peer_ids (`-XXabcd-`: a two-character client code, four version characters).
 *
 * Each version character is one component, read as a base-36 digit: `0`-`9` are 0-9, `A`-`Z` and `a`-`z` are 10-35
 * (libtorrent's `-lt0D80-` is 0.13.8.0). So `-qB4250-` is 4.2.5.0 (qBittorrent 4.2.5), `-TR4050-` is 4.0.5.0
 * (Transmission 4.0.5), `-TR2940-` is 2.9.4.0 (Transmission 2.94). A version is one integer, the four components
 * in base 36, so comparing two versions is comparing two numbers, with no allocation on the announce path.
 *
 * A range's bounds (`4.3`, `4.2.5`) are written the same way: one to four components of 0-35, the missing ones 0.
 */

/** Components a version has. */
const COMPONENTS = 4;

/** `1.2.3`, `4.3`, `4`: one to four dot-separated components of 0-35. */
export const VERSION_PATTERN = /^(?:[0-9]|[12][0-9]|3[0-5])(?:\.(?:[0-9]|[12][0-9]|3[0-5])){0,3}$/;

/** The version in an Azureus-style peer_id (`-XXabcd-`), or -1 when the peer_id has none. */
export function azureusVersion(peerId: Buffer): number {
  if (peerId.length < 8 || peerId[0] !== 0x2d || peerId[7] !== 0x2d) {
    return -1;
  }
  let version = 0;
  for (let i = 3; i < 7; i++) {
    const digit = base36Digit(peerId[i]);
    if (digit < 0) {
      return -1;
    }
    version = version * 36 + digit;
  }
  return version;
}

/** `4.3` → the number azureusVersion gives `-XX4300-`; throws on anything VERSION_PATTERN refuses. */
export function parseVersion(text: string): number {
  if (!VERSION_PATTERN.test(text)) {
    throw new Error(`Not a version: ${text}`);
  }
  const parts = text.split('.').map(Number);
  let version = 0;
  for (let i = 0; i < COMPONENTS; i++) {
    version = version * 36 + (parts[i] ?? 0);
  }
  return version;
}

/** The version's components, trailing zeros dropped after the second: 4.3, 4.2.5, 0.13.8. */
export function formatVersion(version: number): string {
  const parts: number[] = [];
  for (let i = 0, rest = version; i < COMPONENTS; i++, rest = Math.floor(rest / 36)) {
    parts.unshift(rest % 36);
  }
  while (parts.length > 2 && parts[parts.length - 1] === 0) {
    parts.pop();
  }
  return parts.join('.');
}

function base36Digit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) {
    return byte - 0x30;
  }
  if (byte >= 0x41 && byte <= 0x5a) {
    return byte - 0x41 + 10;
  }
  if (byte >= 0x61 && byte <= 0x7a) {
    return byte - 0x61 + 10;
  }
  return -1;
}
