import { Get, HttpStatus } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { StatsService } from 'src/admin/stats/stats.service';

export class StatsDto {
  @ApiProperty({ type: 'integer', example: 100000 })
  users: number;
  @ApiProperty({ type: 'integer', description: 'Live (not deleted) torrents', example: 1000000 })
  torrents: number;
  @ApiProperty({ type: 'integer', example: 250000 })
  peers: number;
  @ApiProperty({ type: 'integer', example: 200000 })
  seeders: number;
  @ApiProperty({ type: 'integer', example: 50000 })
  leechers: number;
}

@AdminController('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @AdminOperation('Users, live torrents and peers now', { status: HttpStatus.OK, type: StatsDto })
  get() {
    return this.stats.get();
  }
}
