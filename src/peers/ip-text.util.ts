/**
 * Text form of a stored address: dotted IPv4 for 4 bytes, RFC 5952 IPv6 for 16 (lowercase, no leading zeros,
 * the longest run of two or more zero groups as `::`), which is how Node prints socket addresses.
 */
export function ipText(bytes: Uint8Array, offset: number, ipv6: boolean): string {
  if (!ipv6) {
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push((bytes[offset + i * 2] << 8) | bytes[offset + i * 2 + 1]);
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) {
    return hex(0, 8);
  }
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
