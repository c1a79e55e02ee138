/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(text: string): number {
  const bytes = Buffer.from(text);
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The Cluster slot of a key: the CRC of its `{hash tag}` when it has a non-empty one, else of the whole key. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      return crc16(key.slice(open + 1, close)) % 16384;
    }
  }
  return crc16(key) % 16384;
}
