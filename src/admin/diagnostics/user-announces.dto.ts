import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

export class UserAnnouncesQuery {
  @ApiPropertyOptional({ pattern: '^[0-9a-fA-F]{40}$', description: 'Only announces of this torrent', example: HASH })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'infoHash must be 40 hexadecimal characters' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  infoHash?: string;
}

export class UserAnnounceDto {
  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  time: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Null when the info_hash was unreadable', example: HASH })
  infoHash: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    enum: ['none', 'started', 'completed', 'stopped', 'paused'],
    example: 'started',
  })
  event: string | null;
  @ApiProperty({ enum: ['ok', 'refused'], example: 'refused' })
  outcome: 'ok' | 'refused';
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The refusal's failure code (as in tracker_requests_total)",
    example: 'leech_not_allowed',
  })
  code: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The refusal's failure reason, as the client got it",
    example: 'You are not allowed to download. Seeding is still allowed.',
  })
  sentence: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The refusal's `retry in`: minutes, or never",
    example: '10',
  })
  retryIn: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'The `warning message` answered', example: null })
  warning: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'The step that refused (a policy; AnnounceLookupStep; PeerLimit, DownloadSlots or AnnouncePacing for the ' +
      "peer store's own rules), else the last policy that warned or, in observe mode, would have refused",
    example: 'LeechPermissionPolicy',
  })
  policy: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The failure code a policy in observe mode would have answered',
    example: null,
  })
  wouldRefuse: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The client's tag from its peer_id",
    example: '-qB4520-',
  })
  client: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The peer_id's first 10 bytes, hex",
    example: '2d7142343532302d6162',
  })
  peerIdPrefix: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: ['ipv4', 'ipv6'], example: 'ipv4' })
  family: 'ipv4' | 'ipv6' | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 51413 })
  port: number | null;
  @ApiProperty({ type: 'integer', format: 'int64', nullable: true, description: 'As sent', example: 0 })
  uploaded: number | null;
  @ApiProperty({ type: 'integer', format: 'int64', nullable: true, description: 'As sent', example: 0 })
  downloaded: number | null;
  @ApiProperty({ type: 'integer', format: 'int64', nullable: true, description: 'As sent', example: 1073741824 })
  left: number | null;
}

export class UserAnnounceListDto {
  @ApiProperty({ type: [UserAnnounceDto], description: 'Latest first; at most ANNOUNCE_LOG_SIZE (50)' })
  items: UserAnnounceDto[];
}
