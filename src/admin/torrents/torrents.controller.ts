import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { InfoHashParams } from 'src/admin/common/admin-params.dto';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { BulkResultDto } from 'src/admin/common/bulk-result.dto';
import { CreateTorrentDto, UpdateTorrentDto } from 'src/admin/torrents/torrent.dto';
import {
  BulkTorrentsDto,
  CountsDto,
  CountsRequestDto,
  PeerDto,
  SnatchPageDto,
  SnatchQuery,
  TorrentDto,
  TorrentListQuery,
  TorrentPageDto,
} from 'src/admin/torrents/torrent-views.dto';
import { TorrentsBulkService } from 'src/admin/torrents/torrents-bulk.service';
import { TorrentsService } from 'src/admin/torrents/torrents.service';

const { OK, CREATED, NO_CONTENT, NOT_FOUND, CONFLICT } = HttpStatus;

@AdminController('torrents')
export class TorrentsController {
  constructor(
    private readonly torrents: TorrentsService,
    private readonly bulk: TorrentsBulkService,
  ) {}

  @Post()
  @AdminOperation('Register a torrent (or bring back a deleted one)', { status: CREATED, type: TorrentDto }, CONFLICT)
  create(@Body() dto: CreateTorrentDto) {
    return this.torrents.create(dto);
  }

  @Put()
  @HttpCode(OK)
  @AdminOperation('Register or update up to 10,000 torrents; a failed item never fails the others', {
    status: OK,
    type: BulkResultDto,
  })
  upsert(@Body() dto: BulkTorrentsDto) {
    return this.bulk.upsert(dto.torrents);
  }

  @Get()
  @AdminOperation('List torrents in info hash order, a page at a time', { status: OK, type: TorrentPageDto })
  list(@Query() query: TorrentListQuery) {
    return this.torrents.list(query);
  }

  @Post('counts')
  @HttpCode(OK)
  @AdminOperation('Seeders, leechers and snatches of up to 1,000 torrents at once', { status: OK, type: CountsDto })
  counts(@Body() dto: CountsRequestDto) {
    return this.torrents.counts(dto.infoHashes);
  }

  @Get(':infoHash')
  @AdminOperation('Get a torrent with its swarm', { status: OK, type: TorrentDto }, NOT_FOUND)
  get(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.get(infoHash);
  }

  @Patch(':infoHash')
  @AdminOperation('Change a torrent', { status: OK, type: TorrentDto }, NOT_FOUND)
  update(@Param() { infoHash }: InfoHashParams, @Body() dto: UpdateTorrentDto) {
    return this.torrents.update(infoHash, dto);
  }

  @Delete(':infoHash')
  @HttpCode(NO_CONTENT)
  @AdminOperation(
    'Delete a torrent: announces fail and its peers are dropped at once',
    { status: NO_CONTENT },
    NOT_FOUND,
  )
  delete(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.delete(infoHash);
  }

  @Get(':infoHash/peers')
  @AdminOperation("The torrent's live peers", { status: OK, type: [PeerDto] }, NOT_FOUND)
  peers(@Param() { infoHash }: InfoHashParams) {
    return this.torrents.peersOf(infoHash);
  }

  @Get(':infoHash/snatches')
  @AdminOperation(
    'Who completed the torrent, and when, in user id order',
    { status: OK, type: SnatchPageDto },
    NOT_FOUND,
  )
  snatches(@Param() { infoHash }: InfoHashParams, @Query() query: SnatchQuery) {
    return this.torrents.snatches(infoHash, query);
  }
}
