import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_SITE_ID } from 'src/admin/common/admin-params.dto';
import { MAX_BULK_ITEMS } from 'src/admin/common/bulk-item.util';
import { DecimalString } from 'src/admin/common/decimal.util';
import { PageLimitQuery, parseFlag } from 'src/admin/common/page.dto';
import { ENDPOINTS_DESCRIPTION, PeerEndpointDto } from 'src/admin/common/peer-endpoint.dto';
import { CreateUserDto } from 'src/admin/users/user.dto';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const TIME = '2026-01-31T12:00:00.000Z';

export class ActiveTorrentsDto {
  @ApiProperty({ type: [String], example: [HASH] })
  seeding: string[];

  @ApiProperty({ type: [String], example: [] })
  leeching: string[];
}

/** A user as lists show it. */
export class UserSummaryDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ example: 'Xq3u0cLr9aZkP1m7Vb2nT8wE4yH6jD5s' })
  passkey: string;
  @ApiProperty({ example: true })
  enabled: boolean;
  @ApiProperty({ example: true })
  canLeech: boolean;
  @ApiProperty({ type: 'number', example: 1 })
  uploadMultiplier: number;
  @ApiProperty({ type: 'number', example: 1 })
  downloadMultiplier: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 5,
    description: 'The most torrents the user may leech at once; null: no limit',
  })
  downloadSlots: number | null;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1073741824 })
  uploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 536870912 })
  downloaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1073741824 })
  rawUploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 536870912 })
  rawDownloaded: number;
  @ApiProperty({ type: 'string', nullable: true, example: '203.0.113.7' })
  lastIp: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: TIME })
  lastActive: string | null;
}

export class UserDto extends UserSummaryDto {
  @ApiProperty({ type: ActiveTorrentsDto })
  activeTorrents: ActiveTorrentsDto;
}

export class UserPageDto {
  @ApiProperty({ type: [UserSummaryDto] })
  items: UserSummaryDto[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass as `after` for the next page; null at the end',
    example: '100',
  })
  next: string | null;
}

export class PasskeyDto {
  @ApiProperty({ example: 'Xq3u0cLr9aZkP1m7Vb2nT8wE4yH6jD5s' })
  passkey: string;
}

export class UserListQuery extends PageLimitQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'The last id of the previous page', example: 100 })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'after must be a user id' })
  @Min(0, { message: 'after must be a user id' })
  @Max(MAX_SITE_ID, { message: 'after must be a user id' })
  after?: number;

  @ApiPropertyOptional({ type: 'boolean', description: 'Only enabled (true) or disabled (false) users' })
  @IsOptional()
  @Transform(parseFlag)
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class UserTorrentDto {
  @ApiProperty({ example: HASH })
  infoHash: string;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1073741824 })
  uploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  downloaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1073741824 })
  rawUploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  rawDownloaded: number;
  @ApiProperty({ type: 'integer', description: 'Seconds seeded', example: 86400 })
  seedTime: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: TIME })
  completedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  firstAnnounce: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  lastAnnounce: string;
  @ApiProperty({ type: 'string', enum: ['seeding', 'leeching'], nullable: true, example: 'seeding' })
  active: 'seeding' | 'leeching' | null;
}

export class UserTorrentPageDto {
  @ApiProperty({ type: [UserTorrentDto] })
  items: UserTorrentDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `after`; null at the end', example: HASH })
  next: string | null;
}

export class UserTorrentsQuery extends PageLimitQuery {
  @ApiPropertyOptional({ description: 'The last info hash of the previous page', example: HASH })
  @IsOptional()
  @Matches(/^[0-9a-f]{40}$/, { message: 'after must be 40 lowercase hexadecimal characters' })
  after?: string;

  @ApiPropertyOptional({ enum: ['seeding', 'leeching', 'any', 'none'], description: 'Live peers of the user on it' })
  @IsOptional()
  @IsIn(['seeding', 'leeching', 'any', 'none'], { message: 'active must be seeding, leeching, any or none' })
  active?: 'seeding' | 'leeching' | 'any' | 'none';

  @ApiPropertyOptional({ type: 'boolean', description: 'Only snatched (true) or not snatched (false) torrents' })
  @IsOptional()
  @Transform(parseFlag)
  @IsBoolean({ message: 'completed must be true or false' })
  completed?: boolean;
}

export class UserPeerDto {
  @ApiProperty({ example: HASH })
  infoHash: string;
  @ApiProperty({ description: 'peer_id, hex', example: '2d71423435323030...'.padEnd(40, '0') })
  peerId: string;
  @ApiProperty({ example: '-qB4520-' })
  client: string;
  @ApiProperty({ example: '203.0.113.7' })
  ip: string;
  @ApiProperty({ type: 'integer', example: 51413 })
  port: number;
  @ApiProperty({ type: [PeerEndpointDto], description: ENDPOINTS_DESCRIPTION })
  endpoints: PeerEndpointDto[];
  @ApiProperty({ example: true })
  seeder: boolean;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  left: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 1073741824 })
  uploaded: number;
  @ApiProperty({ type: 'integer', format: 'int64', example: 0 })
  downloaded: number;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  lastAnnounce: string;
}

export class UserPeerPageDto {
  @ApiProperty({ type: [UserPeerDto] })
  items: UserPeerDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Always null: a user has few live peers', example: null })
  next: string | null;
}

/** Read by AdminValidationPipe's readBulkBody, then item by item by the service. */
export class BulkUsersDto {
  static readonly bulkField = 'users';

  @ApiProperty({ type: [CreateUserDto], maxItems: MAX_BULK_ITEMS, example: [{ id: 1 }, { id: 2, canLeech: false }] })
  users: unknown[];
}
