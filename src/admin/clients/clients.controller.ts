import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CreateClientDto } from 'src/admin/clients/client.dto';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { ClientsService } from 'src/admin/clients/clients.service';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { ClientPrefixParams } from 'src/admin/common/admin-params.dto';

@AdminController('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @AdminOperation('The client whitelist; empty allows every client', { status: HttpStatus.OK, type: [CreateClientDto] })
  list() {
    return this.clients.list();
  }

  @Post()
  @AdminOperation(
    'Allow a client by peer_id prefix',
    { status: HttpStatus.CREATED, type: CreateClientDto },
    HttpStatus.CONFLICT,
  )
  add(@Body() dto: CreateClientDto) {
    return this.clients.add(dto);
  }

  @Delete(':prefix')
  @HttpCode(204)
  @AdminOperation('Remove a prefix from the whitelist', { status: HttpStatus.NO_CONTENT }, HttpStatus.NOT_FOUND)
  remove(@Param() { prefix }: ClientPrefixParams) {
    return this.clients.remove(prefix);
  }
}
