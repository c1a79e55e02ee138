import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_SITE_ID } from 'src/admin/common/admin-params.dto';
import { MAX_BULK_ITEMS } from 'src/admin/common/bulk-item.util';
import { DecimalString } from 'src/admin/common/decimal.util';
import { PageLimitQuery, parseFlag } from 'src/admin/common/page.dto';
import { ENDPOINTS_DESCRIPTION, PeerEndpointDto } from 'src/admin/common/peer-endpoint.dto';
import { CreateTorrentDto } from 'src/admin/torrents/torrent.dto';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const TIME = '2026-01-31T12:00:00.000Z';
export const MAX_COUNTS = 1000;

export class SwarmSideDto {
  @ApiProperty({ type: 'integer', example: 2 })
  count: number;
  @ApiProperty({ type: 'array', items: { type: 'integer' }, example: [1, 7] })
  users: number[];
}

/** A torrent as lists show it. */
export class TorrentSummaryDto {
  @ApiProperty({ example: HASH })
  infoHash: string;
  @ApiProperty({ type: 'integer', nullable: true, description: "The site's id for this torrent", example: 10 })
  id: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 1 })
  uploaderId: number | null;
  @ApiProperty({ example: false })
  freeleech: boolean;
  @ApiProperty({ type: 'number', example: 1 })
  uploadMultiplier: number;
  @ApiProperty({ type: 'number', example: 1 })
  downloadMultiplier: number;
  @ApiProperty({ type: 'integer', description: 'Snatches', example: 12 })
  completed: number;
}

export class TorrentListItemDto extends TorrentSummaryDto {
  @ApiProperty({ example: false })
  deleted: boolean;
}

export class TorrentDto extends TorrentSummaryDto {
  @ApiProperty({ type: SwarmSideDto })
  seeders: SwarmSideDto;
  @ApiProperty({ type: SwarmSideDto })
  leechers: SwarmSideDto;
}

export class TorrentPageDto {
  @ApiProperty({ type: [TorrentListItemDto] })
  items: TorrentListItemDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `after`; null at the end', example: HASH })
  next: string | null;
}

export class TorrentListQuery extends PageLimitQuery {
  @ApiPropertyOptional({ description: 'The last info hash of the previous page', example: HASH })
  @IsOptional()
  @Matches(/^[0-9a-f]{40}$/, { message: 'after must be 40 lowercase hexadecimal characters' })
  after?: string;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'List deleted torrents instead of live ones' })
  @IsOptional()
  @Transform(parseFlag)
  @IsBoolean({ message: 'deleted must be true or false' })
  deleted?: boolean;
}

export class SnatchDto {
  @ApiProperty({ type: 'integer', example: 7 })
  userId: number;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  completedAt: string;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  uploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 734003200 })
  downloaded: number;
  @ApiProperty({ type: 'integer', description: 'Seconds seeded', example: 3600 })
  seedTime: number;
}

export class SnatchPageDto {
  @ApiProperty({ type: [SnatchDto] })
  items: SnatchDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `after`; null at the end', example: '7' })
  next: string | null;
}

export class SnatchQuery extends PageLimitQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'The last user id of the previous page', example: 7 })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'after must be a user id' })
  @Min(0, { message: 'after must be a user id' })
  @Max(MAX_SITE_ID, { message: 'after must be a user id' })
  after?: number;
}

export class PeerDto {
  @ApiProperty({ type: 'integer', example: 7 })
  userId: number;
  @ApiProperty({ description: 'peer_id, hex', example: '2d7142343532302d'.padEnd(40, '0') })
  peerId: string;
  @ApiProperty({ example: '203.0.113.7' })
  ip: string;
  @ApiProperty({ type: 'integer', example: 51413 })
  port: number;
  @ApiProperty({ type: [PeerEndpointDto], description: ENDPOINTS_DESCRIPTION })
  endpoints: PeerEndpointDto[];
  @ApiProperty({ example: false })
  seeder: boolean;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  uploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1048576 })
  downloaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 733954048 })
  left: number;
  @ApiProperty({ example: '-qB4520-' })
  client: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  lastAnnounce: string;
}

export class CountsRequestDto {
  @ApiProperty({ type: [String], maxItems: MAX_COUNTS, example: [HASH] })
  @IsArray({ message: 'infoHashes must be an array' })
  @ArrayMaxSize(MAX_COUNTS, { message: `infoHashes must hold at most ${MAX_COUNTS} items` })
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)) : value,
  )
  @Matches(/^[0-9a-f]{40}$/, { each: true, message: 'infoHashes must hold 40 hexadecimal characters each' })
  infoHashes: string[];
}

export class SwarmCountDto {
  @ApiProperty({ example: HASH })
  infoHash: string;
  @ApiProperty({ type: 'integer', example: 5 })
  seeders: number;
  @ApiProperty({ type: 'integer', example: 2 })
  leechers: number;
  @ApiProperty({ type: 'integer', description: 'Snatches', example: 12 })
  completed: number;
}

export class CountsDto {
  @ApiProperty({ type: [SwarmCountDto], description: 'Registered live torrents, in request order' })
  items: SwarmCountDto[];
  @ApiProperty({ type: [String], description: 'Info hashes not registered (or deleted)', example: [] })
  unknown: string[];
}

/** Read by AdminValidationPipe's readBulkBody, then item by item by the service. */
export class BulkTorrentsDto {
  static readonly bulkField = 'torrents';

  @ApiProperty({
    type: [CreateTorrentDto],
    maxItems: MAX_BULK_ITEMS,
    example: [{ infoHash: HASH, id: 10, uploaderId: 1 }],
  })
  torrents: unknown[];
}
