import { type DynamicModule, Module } from '@nestjs/common';
import { AccountingModule } from 'src/accounting/accounting.module';
import { AdminModule } from 'src/admin/admin.module';
import { HttpTrackerModule } from 'src/announce/http/http-tracker.module';
import { UdpTrackerModule } from 'src/announce/udp/udp-tracker.module';
import { TrackerConfigModule } from 'src/config/config.module';
import { HealthModule } from 'src/health/health.module';
import { MetricsModule } from 'src/metrics/metrics.module';
import { PromotionsModule } from 'src/promotions/promotions.module';

@Module({})
export class AppModule {
  /** `env` replaces the process environment (tests); production passes nothing. */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TrackerConfigModule.forRoot(env),
        MetricsModule,
        HealthModule,
        AdminModule,
        HttpTrackerModule,
        PromotionsModule,
        UdpTrackerModule,
        AccountingModule,
      ],
    };
  }
}
