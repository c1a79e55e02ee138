import { Get, HttpStatus, Query } from '@nestjs/common';
import { ChangesDto, ChangesQuery } from 'src/admin/changes/changes.dto';
import { ChangesService } from 'src/admin/changes/changes.service';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';

@AdminController('changes')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get()
  @AdminOperation(
    'Users and history rows the flush changed since a cursor, each once with its latest values',
    { status: HttpStatus.OK, type: ChangesDto },
    HttpStatus.GONE,
  )
  read(@Query() query: ChangesQuery) {
    return this.changes.read(query);
  }
}
