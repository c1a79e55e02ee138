import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_SITE_ID, SiteIdRange } from 'src/admin/common/admin-params.dto';
import { DecimalString } from 'src/admin/common/decimal.util';
import { PageLimitQuery, parseFlag } from 'src/admin/common/page.dto';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const STARTS = '2026-12-05T00:00:00.000Z';
const ENDS = '2026-12-07T00:00:00.000Z';
export const MAX_UPLOAD_FACTOR = 100;
export const MAX_REASON = 500;

const lowercase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export enum PromotionScope {
  Site = 'site',
  User = 'user',
  Torrent = 'torrent',
  Token = 'token',
}

export class CreatePromotionDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SITE_ID,
    description: 'The user promoted; with infoHash, a freeleech token (one user on one torrent)',
    example: 7,
  })
  @IsOptional()
  @SiteIdRange('userId')
  userId?: number;

  @ApiPropertyOptional({
    pattern: '^[0-9a-fA-F]{40}$',
    description: 'The torrent promoted; neither userId nor infoHash: the whole site',
    example: HASH,
  })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'infoHash must be 40 hexadecimal characters' })
  @Transform(lowercase)
  infoHash?: string;

  @ApiPropertyOptional({
    type: 'number',
    minimum: 1,
    maximum: MAX_UPLOAD_FACTOR,
    default: 1,
    description: 'Multiplies the credited upload (the largest in force counts); at least one factor is required',
    example: 2,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'uploadFactor must be a number' })
  @Min(1, { message: `uploadFactor must be from 1 to ${MAX_UPLOAD_FACTOR}` })
  @Max(MAX_UPLOAD_FACTOR, { message: `uploadFactor must be from 1 to ${MAX_UPLOAD_FACTOR}` })
  uploadFactor?: number;

  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    maximum: 1,
    default: 1,
    description: 'Multiplies the credited download (the smallest in force counts); 0 is freeleech',
    example: 0,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'downloadFactor must be a number' })
  @Min(0, { message: 'downloadFactor must be from 0 to 1' })
  @Max(1, { message: 'downloadFactor must be from 0 to 1' })
  downloadFactor?: number;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'When it starts; absent: at once',
    example: STARTS,
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startsAt must be an ISO 8601 date and time' })
  startsAt?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'When it ends (after startsAt); absent: never',
    example: ENDS,
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'endsAt must be an ISO 8601 date and time' })
  endsAt?: string;

  @ApiPropertyOptional({ maxLength: MAX_REASON, example: 'Freeleech weekend' })
  @IsOptional()
  @IsString({ message: 'reason must be a string' })
  @MaxLength(MAX_REASON, { message: `reason must be at most ${MAX_REASON} characters` })
  reason?: string;
}

export class PromotionDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ enum: PromotionScope, enumName: 'PromotionScope', example: PromotionScope.Token })
  scope: PromotionScope;
  @ApiProperty({ type: 'integer', nullable: true, example: 7 })
  userId: number | null;
  @ApiProperty({ type: 'string', nullable: true, example: HASH })
  infoHash: string | null;
  @ApiProperty({ type: 'number', example: 1 })
  uploadFactor: number;
  @ApiProperty({ type: 'number', example: 0 })
  downloadFactor: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: STARTS })
  startsAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: ENDS })
  endsAt: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'Freeleech token' })
  reason: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', example: STARTS })
  createdAt: string;
  @ApiProperty({ description: 'In force now (its window holds the present)', example: true })
  active: boolean;
}

export class PromotionPageDto {
  @ApiProperty({ type: [PromotionDto] })
  items: PromotionDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `after`; null at the end', example: '100' })
  next: string | null;
}

export class PromotionIdParams {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Decimal digits only', example: 1 })
  @DecimalString()
  @IsInt({ message: 'id must be a positive integer' })
  @Min(1, { message: 'id must be a positive integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'id must be a positive integer' })
  id: number;
}

export class PromotionListQuery extends PageLimitQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'The last id of the previous page', example: 100 })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'after must be a promotion id' })
  @Min(0, { message: 'after must be a promotion id' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'after must be a promotion id' })
  after?: number;

  @ApiPropertyOptional({ type: 'integer', description: "Only this user's (user and token scopes)", example: 7 })
  @IsOptional()
  @DecimalString()
  @SiteIdRange('userId')
  userId?: number;

  @ApiPropertyOptional({ description: "Only this torrent's (torrent and token scopes)", example: HASH })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'infoHash must be 40 hexadecimal characters' })
  @Transform(lowercase)
  infoHash?: string;

  @ApiPropertyOptional({ type: 'boolean', description: 'Only those in force now (true) or not (false)' })
  @IsOptional()
  @Transform(parseFlag)
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
