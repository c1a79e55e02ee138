import { Get } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { StatsService } from 'src/admin/stats/stats.service';

@AdminController('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  get() {
    return this.stats.get();
  }
}
