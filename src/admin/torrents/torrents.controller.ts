import { Body, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { InfoHashParams } from 'src/admin/common/admin-params.dto';
import { CreateTorrentDto, UpdateTorrentDto } from 'src/admin/torrents/torrent.dto';
import { TorrentsService } from 'src/admin/torrents/torrents.service';

@AdminController('torrents')
export class TorrentsController {
  constructor(private readonly torrents: TorrentsService) {}

  @Post()
  create(@Body() dto: CreateTorrentDto) {
    return this.torrents.create(dto);
  }

  @Get(':infoHash')
  get(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.get(infoHash);
  }

  @Patch(':infoHash')
  update(@Param() { infoHash }: InfoHashParams, @Body() dto: UpdateTorrentDto) {
    return this.torrents.update(infoHash, dto);
  }

  @Delete(':infoHash')
  @HttpCode(204)
  delete(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.delete(infoHash);
  }

  @Get(':infoHash/peers')
  peers(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.peersOf(infoHash);
  }
}
