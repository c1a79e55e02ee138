import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthController } from 'src/health/health.controller';
import { HealthService } from 'src/health/health.service';
import { DatabaseHealthIndicator } from 'src/health/indicators/database.health-indicator';
import { PeerStoreHealthIndicator } from 'src/health/indicators/peer-store.health-indicator';
import { PeersModule } from 'src/peers/peers.module';
import { StorageModule } from 'src/storage/storage.module';

/**
 * /health, /health/live, /health/ready. Readiness asks every HealthIndicator provider of the application, wherever
 * it is declared: to add a check, provide a class extending HealthIndicator in your own module.
 */
@Module({
  imports: [DiscoveryModule, StorageModule, PeersModule],
  controllers: [HealthController],
  providers: [HealthService, DatabaseHealthIndicator, PeerStoreHealthIndicator],
})
export class HealthModule {}
