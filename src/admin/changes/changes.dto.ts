import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalString } from 'src/admin/common/decimal.util';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const TIME = '2026-01-31T12:00:00.000Z';
export const DEFAULT_CHANGES = 1000;
export const MAX_CHANGES = 10_000;

export class ChangesQuery {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    description: "The previous answer's `next`. Absent: no rows, and `next` is the feed's present position",
    example: 1042,
  })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'after must be a cursor from a previous answer' })
  @Min(0, { message: 'after must be a cursor from a previous answer' })
  after?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_CHANGES,
    default: DEFAULT_CHANGES,
    description:
      'About this many history rows at most, with their users (a flush is never split, so one may give more)',
    example: 1000,
  })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: `limit must be from 1 to ${MAX_CHANGES}` })
  @Max(MAX_CHANGES, { message: `limit must be from 1 to ${MAX_CHANGES}` })
  limit?: number;
}

export class ChangedUserDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
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

export class ChangedHistoryDto {
  @ApiProperty({ type: 'integer', example: 1 })
  userId: number;
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
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null })
  completedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  firstAnnounce: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  lastAnnounce: string;
}

export class ChangesDto {
  @ApiProperty({ type: [ChangedUserDto], description: 'Users whose totals, lastIp or lastActive changed' })
  users: ChangedUserDto[];
  @ApiProperty({ type: [ChangedHistoryDto], description: 'History rows that changed' })
  history: ChangedHistoryDto[];
  @ApiProperty({ type: 'string', description: 'Pass as `after` next time (a decimal integer)', example: '1043' })
  next: string;
}
