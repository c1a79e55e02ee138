import { Module } from '@nestjs/common';
import { HealthController } from 'src/health/health.controller';
import { HealthService } from 'src/health/health.service';
import { PeersModule } from 'src/peers/peers.module';
import { StorageModule } from 'src/storage/storage.module';

@Module({
  imports: [StorageModule, PeersModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
