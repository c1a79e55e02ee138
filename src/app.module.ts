import { type DynamicModule, Module } from '@nestjs/common';
import { AccountingModule } from 'src/accounting/accounting.module';
import { AdminModule } from 'src/admin/admin.module';
import { HttpTrackerModule } from 'src/announce/http/http-tracker.module';
import { UdpTrackerModule } from 'src/announce/udp/udp-tracker.module';
import { ClientRulesModule } from 'src/clients/client-rules.module';
import { TrackerConfigModule } from 'src/config/config.module';
import { HealthModule } from 'src/health/health.module';
import { MetricsModule } from 'src/metrics/metrics.module';
import { PromotionsModule } from 'src/promotions/promotions.module';

/** Every module of the tracker but its configuration. */
const TRACKER_MODULES = [
  MetricsModule,
  HealthModule,
  AdminModule,
  HttpTrackerModule,
  UdpTrackerModule,
  ClientRulesModule,
  AccountingModule,
];

/**
 * The whole tracker, configured from the process environment and `.env` as `npm start` is:
 * `Test.createTestingModule({ imports: [AppModule] })` boots it like any Nest app's root module.
 */
@Module({ imports: [TrackerConfigModule.forRoot(), ...TRACKER_MODULES] })
export class AppModule {
  /**
   * `env` replaces the process environment (tests run several configurations in one process); without it, AppModule
   * itself. A dynamic module extends its class's imports, so the explicit environment goes on a module of its own.
   */
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
    if (env === undefined) {
      return { module: AppModule };
    }
    return { module: TrackerWithEnvModule, imports: [TrackerConfigModule.forRoot(env), ...TRACKER_MODULES] };
  }
}

/** AppModule on an explicit environment (AppModule.forRoot(env)). */
@Module({})
class TrackerWithEnvModule {}
