import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bdecode } from 'test/support/bencode';

const run = promisify(execFile);

/** Writes `size` random bytes to `path` (in 1 MiB chunks) and returns their sha256 in hex. */
export async function writeRandomPayload(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(1 << 20, size - written));
      hash.update(chunk);
      await file.write(chunk);
      written += chunk.length;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * A private (`-p`) single-file torrent made by mktorrent. The info dict holds only name, length, piece length, pieces
 * and private, so torrents of one payload with different announce URLs share their info_hash.
 */
export async function makePrivateTorrent(payloadPath: string, announceUrl: string, torrentPath: string): Promise<void> {
  // -l 18: 256 KiB pieces; -d: no creation date, so the file is reproducible.
  await run('mktorrent', ['-p', '-d', '-l', '18', '-a', announceUrl, '-o', torrentPath, payloadPath], {
    timeout: 60_000,
  });
}

/** The info_hash: sha1 of the raw bencoded `info` value, as it sits in the file (never re-encoded). */
export async function readInfoHash(torrentPath: string): Promise<string> {
  const data = await readFile(torrentPath);
  const span = bdecode(data).spans.info;
  if (span === undefined) {
    throw new Error(`${torrentPath} has no info dictionary`);
  }
  return createHash('sha1').update(data.subarray(span[0], span[1])).digest('hex');
}
