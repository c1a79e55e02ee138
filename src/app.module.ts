import { type DynamicModule, Module } from '@nestjs/common';
import { TrackerConfigModule } from 'src/config/config.module';

@Module({})
export class AppModule {
  /** `env` replaces the process environment (tests); production passes nothing. */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [TrackerConfigModule.forRoot(env)],
    };
  }
}
