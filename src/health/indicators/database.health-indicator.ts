import { Injectable } from '@nestjs/common';
import { HealthIndicator } from 'src/health/health-indicator';
import { DatabaseHealthRepository } from 'src/storage/repositories/database-health.repository';

/** PostgreSQL down degrades: the lookup cache still answers announces, and pending accounting waits for it. */
@Injectable()
export class DatabaseHealthIndicator extends HealthIndicator {
  readonly name = 'database';
  readonly whenDown = 'degraded';
  override readonly core = true;

  constructor(private readonly database: DatabaseHealthRepository) {
    super();
  }

  check(): Promise<void> {
    return this.database.ping();
  }
}
