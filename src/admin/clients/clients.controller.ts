import { Body, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CreateClientDto } from 'src/admin/clients/client.dto';
import { ClientsService } from 'src/admin/clients/clients.service';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { ClientPrefixParams } from 'src/admin/common/admin-params.dto';

@AdminController('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  list() {
    return this.clients.list();
  }

  @Post()
  add(@Body() dto: CreateClientDto) {
    return this.clients.add(dto);
  }

  @Delete(':prefix')
  @HttpCode(204)
  remove(@Param() { prefix }: ClientPrefixParams) {
    return this.clients.remove(prefix);
  }
}
