import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { trackerConfig, trackerConfigFrom } from 'src/config/tracker.config';

@Module({})
export class TrackerConfigModule {
  /**
   * With no argument: the process environment plus `.env`. With an explicit environment (tests):
   * exactly that, and no `.env` file.
   */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: TrackerConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: env !== undefined,
          load: [env ? trackerConfigFrom(env) : trackerConfig],
        }),
      ],
      exports: [ConfigModule],
    };
  }
}
