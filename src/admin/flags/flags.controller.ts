import { Get, HttpStatus, Query } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { FlagListQuery, FlagPageDto } from 'src/admin/flags/flags.dto';
import { FlagsService } from 'src/admin/flags/flags.service';

@AdminController('flags')
export class FlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Get()
  @AdminOperation('Cheat signals with their evidence, in the order they were recorded, a page at a time', {
    status: HttpStatus.OK,
    type: FlagPageDto,
  })
  list(@Query() query: FlagListQuery) {
    return this.flags.list(query);
  }
}
