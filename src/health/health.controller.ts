import { Controller, Get, Header, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from 'src/health/health.service';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/** Probes for load balancers, orchestrators and Prometheus; no token. */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: TrackerMetrics,
  ) {}

  @Get('health')
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.check();
    void reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  /** For a liveness probe: the process answers. A database or Redis outage never fails it. */
  @Get('health/live')
  live() {
    return this.health.live();
  }

  /** For a readiness probe: 200 while announces can be served (`degraded` says what is down), else 503. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.ready();
    void reply.status(report.status === 'unavailable' ? 503 : 200);
    return report;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    if (!this.health.metricsEnabled) {
      throw new NotFoundException('Metrics are turned off (METRICS_ENABLED=false)');
    }
    return this.metrics.registry.metrics();
  }
}
