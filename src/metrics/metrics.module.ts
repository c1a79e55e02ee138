import { Global, Module } from '@nestjs/common';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/** Global: every capability records into the same registry. */
@Global()
@Module({
  providers: [TrackerMetrics],
  exports: [TrackerMetrics],
})
export class MetricsModule {}
