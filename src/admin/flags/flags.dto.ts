import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { SiteIdRange } from 'src/admin/common/admin-params.dto';
import { DecimalString } from 'src/admin/common/decimal.util';
import { PageLimitQuery } from 'src/admin/common/page.dto';

export class FlagListQuery extends PageLimitQuery {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    description: "The previous answer's `next` (a flag id); absent: from the first flag",
    example: 1042,
  })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'after must be a flag id' })
  @Min(0, { message: 'after must be a flag id' })
  after?: number;

  @ApiPropertyOptional({ type: 'integer', description: "Only this user's flags", example: 1 })
  @IsOptional()
  @DecimalString()
  @SiteIdRange('userId')
  userId?: number;

  @ApiPropertyOptional({
    description: 'Only flags of this kind',
    pattern: '^[\\x21-\\x7e]{1,64}$',
    example: 'upload_rate',
  })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'kind must be 1 to 64 printable ASCII characters' })
  kind?: string;
}

export class FlagDto {
  @ApiProperty({ type: 'integer', format: 'int64', example: 1043 })
  id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  userId: number;
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  infoHash: string;
  @ApiProperty({ description: 'What was seen (the integrity rules name their kinds)', example: 'upload_rate' })
  kind: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The announce's values, the peer's previous state and the swarm's counts, as the rule recorded them",
    example: { uploadedDelta: 10737418240, seconds: 60, leechers: 0 },
  })
  evidence: Record<string, unknown>;
  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  announcedAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-31T12:00:03.000Z' })
  recordedAt: string;
}

export class FlagPageDto {
  @ApiProperty({ type: [FlagDto] })
  items: FlagDto[];
  @ApiProperty({
    type: 'string',
    description:
      'Pass as `after` for the next page, and to poll for new flags: the last id answered, or `after` itself when ' +
      'there is none yet (never null: flags keep coming)',
    example: '1043',
  })
  next: string;
}
