import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32 characters of [0-9A-Za-z] from a CSPRNG, without modulo bias (about 190 bits). */
export function generatePasskey(): string {
  let passkey = '';
  for (let i = 0; i < 32; i++) {
    passkey += ALPHABET[randomInt(ALPHABET.length)];
  }
  return passkey;
}
