import { InitialSchema1763712000000 } from 'migrations/1763712000000-initial-schema';
import { AppliedBatches1763712100000 } from 'migrations/1763712100000-applied-batches';
import { CheaperFlushWrites1763712200000 } from 'migrations/1763712200000-cheaper-flush-writes';
import { QuarantinedAccounts1764800000000 } from 'migrations/1764800000000-quarantined-accounts';
import { ChangeFeed1764900000000 } from 'migrations/1764900000000-change-feed';
import { CheatFlags1765000000000 } from 'migrations/1765000000000-cheat-flags';
import { ClientBlocklist1765100000000 } from 'migrations/1765100000000-client-blocklist';
import { Promotions1765200000000 } from 'migrations/1765200000000-promotions';
import { DownloadSlots1765300000000 } from 'migrations/1765300000000-download-slots';
import { ChangeFeedByBatch1765400000000 } from 'migrations/1765400000000-change-feed-by-batch';
import { PromotionStamps1765500000000 } from 'migrations/1765500000000-promotion-stamps';
import { PackedChangeKeys1765600000000 } from 'migrations/1765600000000-packed-change-keys';

/** Every migration, oldest first. Listed explicitly so jest, the CLI and the server load the same classes. */
export const MIGRATIONS = [
  InitialSchema1763712000000,
  AppliedBatches1763712100000,
  CheaperFlushWrites1763712200000,
  QuarantinedAccounts1764800000000,
  ChangeFeed1764900000000,
  CheatFlags1765000000000,
  ClientBlocklist1765100000000,
  Promotions1765200000000,
  DownloadSlots1765300000000,
  ChangeFeedByBatch1765400000000,
  PromotionStamps1765500000000,
  PackedChangeKeys1765600000000,
];
