import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { MAX_SITE_ID } from 'src/admin/common/admin-params.dto';
import { OptionalMultiplier } from 'src/admin/common/multiplier.decorator';

/** An optional site id that may also be null (to clear it). */
function OptionalSiteId(field: string): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_SITE_ID, nullable: true, example: 10 })(
      target,
      key,
    );
    ValidateIf((_, value) => value !== undefined && value !== null)(target, key);
    IsInt({ message: `${field} must be a positive integer` })(target, key);
    Min(1, { message: `${field} must be a positive integer` })(target, key);
    Max(MAX_SITE_ID, { message: `${field} must not exceed ${MAX_SITE_ID}` })(target, key);
  };
}

export class UpdateTorrentDto {
  @OptionalSiteId('id')
  id?: number | null;

  @OptionalSiteId('uploaderId')
  uploaderId?: number | null;

  @ApiPropertyOptional({ default: false, example: false })
  @IsOptional()
  @IsBoolean()
  freeleech?: boolean;

  @OptionalMultiplier()
  uploadMultiplier?: number;

  @OptionalMultiplier()
  downloadMultiplier?: number;
}

export class CreateTorrentDto extends UpdateTorrentDto {
  @ApiProperty({ pattern: '^[0-9a-fA-F]{40}$', example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'infoHash must be 40 hexadecimal characters' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  infoHash: string;
}
