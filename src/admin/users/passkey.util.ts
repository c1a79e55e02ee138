import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The largest multiple of 62 that fits a byte: bytes at or above it are skipped, so there is no modulo bias. */
const LIMIT = 248;

/** `count` passkeys of 32 characters of [0-9A-Za-z] from a CSPRNG (about 190 bits each), from one buffer. */
export function generatePasskeys(count: number): string[] {
  const passkeys: string[] = [];
  let pool = randomBytes(count * 40 + 64);
  let at = 0;
  for (let n = 0; n < count; n++) {
    let passkey = '';
    while (passkey.length < 32) {
      if (at === pool.length) {
        pool = randomBytes(1024);
        at = 0;
      }
      const byte = pool[at++];
      if (byte < LIMIT) {
        passkey += ALPHABET[byte % 62];
      }
    }
    passkeys.push(passkey);
  }
  return passkeys;
}

export function generatePasskey(): string {
  return generatePasskeys(1)[0];
}
