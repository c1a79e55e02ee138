import { Get, HttpStatus, Param, Query } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { UserIdParams } from 'src/admin/common/admin-params.dto';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { UserAnnounceListDto, UserAnnouncesQuery } from 'src/admin/diagnostics/user-announces.dto';
import { UserAnnouncesService } from 'src/admin/diagnostics/user-announces.service';

/** The staff's diagnostics beside the users' routes (`/api/users/:id/announces`). */
@AdminController('users')
export class UserAnnouncesController {
  constructor(private readonly announces: UserAnnouncesService) {}

  @Get(':id/announces')
  @AdminOperation(
    "The user's last announces, answered or refused, and why (never the passkey)",
    { status: HttpStatus.OK, type: UserAnnounceListDto },
    HttpStatus.NOT_FOUND,
  )
  list(@Param() { id }: UserIdParams, @Query() { infoHash }: UserAnnouncesQuery) {
    return this.announces.list(id, infoHash);
  }
}
