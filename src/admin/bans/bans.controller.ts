import { Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { BanIpParams, BanListDto } from 'src/admin/bans/bans.dto';
import { BansService } from 'src/admin/bans/bans.service';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';

const { OK, NO_CONTENT, NOT_FOUND } = HttpStatus;

@AdminController('bans')
export class BansController {
  constructor(private readonly bans: BansService) {}

  @Get()
  @AdminOperation('Addresses banned for too many unknown passkeys or torrents, on every instance', {
    status: OK,
    type: BanListDto,
  })
  list() {
    return this.bans.list();
  }

  @Delete(':ip')
  @HttpCode(NO_CONTENT)
  @AdminOperation('Lift a ban, on every instance within a second', { status: NO_CONTENT }, NOT_FOUND)
  lift(@Param() { ip }: BanIpParams) {
    return this.bans.lift(ip);
  }
}
