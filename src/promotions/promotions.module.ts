import { Module } from '@nestjs/common';
import { LookupModule } from 'src/lookup/lookup.module';
import { PromotionPolicy } from 'src/promotions/promotion.policy';

/**
 * Promotions on announce: PromotionPolicy, found by the announce pipeline at boot. The admin routes are in
 * src/admin/promotions/; the promotions themselves come with the lookup cache's snapshots.
 */
@Module({
  imports: [LookupModule],
  providers: [PromotionPolicy],
})
export class PromotionsModule {}
