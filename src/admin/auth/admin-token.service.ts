import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { DatabaseEndpoint } from 'src/storage/database-endpoint';

/**
 * The bearer tokens of /api. From ADMIN_TOKEN, which may list several (`new,old`) so that the site can switch
 * tokens without downtime; with the embedded database and no ADMIN_TOKEN, generated once and kept in
 * DATA_DIR/admin-token; with DATABASE_URL and no ADMIN_TOKEN, none: every /api request gets 401.
 */
@Injectable()
export class AdminTokenService implements OnModuleInit {
  private readonly logger = new Logger(AdminTokenService.name);
  private tokenDigests: Buffer[] = [];

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly database: DatabaseEndpoint,
  ) {}

  async onModuleInit(): Promise<void> {
    const tokens =
      this.config.adminTokens.length > 0
        ? this.config.adminTokens
        : this.database.embedded
          ? [await this.loadOrCreateTokenFile()]
          : [];
    if (tokens.length === 0) {
      this.logger.warn('ADMIN_TOKEN is not set: the admin API answers 401 to every request');
      return;
    }
    this.tokenDigests = tokens.map(digest);
  }

  /**
   * Compares fixed-length digests in constant time, against every token without stopping at a match, so that
   * neither a token's length, its content, nor which of the tokens matched leaks through timing.
   */
  matches(candidate: string): boolean {
    const candidateDigest = digest(candidate);
    let matched = false;
    for (const tokenDigest of this.tokenDigests) {
      matched = timingSafeEqual(candidateDigest, tokenDigest) || matched;
    }
    return matched;
  }

  private async loadOrCreateTokenFile(): Promise<string> {
    const path = resolve(join(this.config.dataDir, 'admin-token'));
    try {
      const existing = (await readFile(path, 'utf8')).trim();
      if (existing) {
        this.logger.log(`Admin token read from ${path}`);
        return existing;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
    const token = randomBytes(24).toString('base64url');
    await mkdir(this.config.dataDir, { recursive: true });
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    this.logger.log(`Admin token generated and written to ${path}`);
    return token;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
