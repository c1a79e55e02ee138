import { Controller, Get, Header, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AnnounceFailureFilter } from 'src/announce/announce-failure.filter';
import { AnnounceService } from 'src/announce/announce.service';
import { LookupGuard } from 'src/announce/lookup.guard';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import type { TrackerRequest } from 'src/announce/tracker-request';

/** The BitTorrent side: `GET /<passkey>/announce` and `GET /<passkey>/scrape` (CONTRACT §2-§3). */
@ApiExcludeController()
@Controller()
@UseFilters(AnnounceFailureFilter)
export class AnnounceController {
  constructor(private readonly announces: AnnounceService) {}

  @Get(':passkey/announce')
  @Header('Content-Type', 'text/plain')
  @UseGuards(LookupGuard)
  announce(@Req() request: TrackerRequest): Promise<Buffer> {
    return this.announces.announce(request.announce!);
  }

  @Get(':passkey/scrape')
  @Header('Content-Type', 'text/plain')
  @UseGuards(LookupGuard)
  scrape(@Req() request: TrackerRequest): Promise<Buffer> {
    return this.announces.scrape(request.scrape!);
  }

  /** A torrent made without the passkey in its announce URL. */
  @Get(['announce', 'scrape'])
  missingPasskey(): never {
    throw new AnnounceFailure(FailureCode.BadPasskey, 'Missing passkey: download the torrent again from the site.');
  }
}
