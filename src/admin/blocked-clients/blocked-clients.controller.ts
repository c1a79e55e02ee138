import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { BlockedClientDto, CreateBlockedClientDto } from 'src/admin/blocked-clients/blocked-client.dto';
import { BlockedClientsService } from 'src/admin/blocked-clients/blocked-clients.service';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { BlockedClientIdParams } from 'src/admin/common/admin-params.dto';

@AdminController('blocked-clients')
export class BlockedClientsController {
  constructor(private readonly blocked: BlockedClientsService) {}

  @Get()
  @AdminOperation('The client block list, oldest entry first', { status: HttpStatus.OK, type: [BlockedClientDto] })
  list() {
    return this.blocked.list();
  }

  @Post()
  @AdminOperation(
    'Block a client by peer_id prefix, optionally only within a version range',
    { status: HttpStatus.CREATED, type: BlockedClientDto },
    HttpStatus.CONFLICT,
  )
  add(@Body() dto: CreateBlockedClientDto) {
    return this.blocked.add(dto);
  }

  @Get(':id')
  @AdminOperation('One block-list entry', { status: HttpStatus.OK, type: BlockedClientDto }, HttpStatus.NOT_FOUND)
  get(@Param() { id }: BlockedClientIdParams) {
    return this.blocked.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminOperation('Remove a block-list entry', { status: HttpStatus.NO_CONTENT }, HttpStatus.NOT_FOUND)
  remove(@Param() { id }: BlockedClientIdParams) {
    return this.blocked.remove(id);
  }
}
