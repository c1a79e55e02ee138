import { randomUUID } from 'node:crypto';
import { saturatingSum } from 'src/peers/peer-accounting.util';
import type { CheatFlag, PendingAccount, PendingBacklog, PendingBatch } from 'src/peers/peer-store.types';

/**
 * Accounting not yet in the database, one row per (user, torrent) touched since the last claim. A claimed batch
 * is frozen and handed out again until acknowledged; announces after the claim start new rows.
 * Rows live only for a flush interval, so plain objects are fine here (unlike per-peer state).
 */
export class PendingLedger {
  private open = new Map<string, PendingAccount>();
  /** Flags raised since the last claim; each claim takes them all, with the accounts of their announces. */
  private flags: CheatFlag[] = [];
  private claimed: PendingBatch | null = null;
  /** Credited upload plus download in the open rows, and in the claimed batch (the backlog gauge). */
  private openBytes = 0;
  private claimedBytes = 0;

  /**
   * `maxOpenRows` bounds memory while the database is away: rows merge per (user, torrent), so only announces
   * that would open a new row are refused at the bound (see `accepts`); nothing already pending is dropped.
   */
  constructor(private readonly maxOpenRows = 1_000_000) {}

  /** False when recording for this (user, torrent) would open a row past the bound. */
  accepts(userId: number, infoHash: string): boolean {
    return this.open.size < this.maxOpenRows || this.open.has(`${userId}:${infoHash}`);
  }

  record(
    userId: number,
    infoHash: string,
    ip: string,
    now: number,
    completed: boolean,
    uploaded: number,
    downloaded: number,
    rawUploaded: number,
    rawDownloaded: number,
    seedTime: number,
  ): void {
    const key = `${userId}:${infoHash}`;
    const row = this.open.get(key);
    if (!row) {
      this.open.set(key, {
        userId,
        infoHash,
        uploaded,
        downloaded,
        rawUploaded,
        rawDownloaded,
        seedTime,
        completedAt: completed ? now : null,
        firstAnnounce: now,
        lastAnnounce: now,
        lastIp: ip,
      });
      this.openBytes += uploaded + downloaded;
      return;
    }
    const before = row.uploaded + row.downloaded;
    row.uploaded = saturatingSum(row.uploaded, uploaded);
    row.downloaded = saturatingSum(row.downloaded, downloaded);
    this.openBytes += row.uploaded + row.downloaded - before;
    row.rawUploaded = saturatingSum(row.rawUploaded, rawUploaded);
    row.rawDownloaded = saturatingSum(row.rawDownloaded, rawDownloaded);
    row.seedTime += seedTime;
    if (completed && (row.completedAt === null || now < row.completedAt)) {
      row.completedAt = now;
    }
    row.firstAnnounce = Math.min(row.firstAnnounce, now);
    if (now >= row.lastAnnounce) {
      row.lastAnnounce = now;
      row.lastIp = ip;
    }
  }

  flag(flag: CheatFlag): void {
    this.flags.push(flag);
  }

  /** The unacknowledged batch if there is one, else up to `maxAccounts` open rows (and every flag) as a new batch. */
  claim(maxAccounts: number): PendingBatch | null {
    if (this.claimed) {
      return this.claimed;
    }
    if (this.open.size === 0 && this.flags.length === 0) {
      return null;
    }
    const accounts: PendingAccount[] = [];
    const limit = Math.max(1, maxAccounts);
    for (const [key, row] of this.open) {
      if (accounts.length >= limit) {
        break;
      }
      accounts.push(row);
      this.open.delete(key);
      this.claimedBytes += row.uploaded + row.downloaded;
    }
    this.openBytes = this.open.size === 0 ? 0 : this.openBytes - this.claimedBytes;
    // A random id: the database dedupes applied batches by id, across restarts of this process too.
    this.claimed = { id: randomUUID(), accounts, flags: this.flags };
    this.flags = [];
    return this.claimed;
  }

  ack(batchId: string): void {
    if (this.claimed?.id === batchId) {
      this.claimed = null;
      this.claimedBytes = 0;
    }
  }

  /** Rows and credited bytes not yet acknowledged: open, or claimed by a flush in flight. */
  backlog(): PendingBacklog {
    return {
      accounts: this.open.size + (this.claimed?.accounts.length ?? 0),
      bytes: this.openBytes + this.claimedBytes,
      estimated: false,
    };
  }

  get openRows(): number {
    return this.open.size;
  }
}
