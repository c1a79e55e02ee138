import { Module } from '@nestjs/common';
import { AccountingFlusher } from 'src/accounting/accounting-flusher';
import { AccountingHealthIndicator } from 'src/accounting/accounting.health-indicator';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';
import { StorageModule } from 'src/storage/storage.module';

/** Writes what announces accounted (CONTRACT §4) to PostgreSQL in batches, exactly once. */
@Module({
  imports: [StorageModule, PeersModule, LookupModule],
  providers: [AccountingFlusher, AccountingHealthIndicator],
})
export class AccountingModule {}
