import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_SITE_ID, SiteIdRange } from 'src/admin/common/admin-params.dto';
import { OptionalMultiplier } from 'src/admin/common/multiplier.decorator';

/** Download slots beyond this are no limit in practice; the bound keeps the store's walk short. */
export const MAX_DOWNLOAD_SLOTS = 10000;
const PASSKEY = /^[0-9A-Za-z]{32}$/;
const PASSKEY_MESSAGE = 'passkey must be 32 characters of [0-9A-Za-z]';

export class CreateUserDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SITE_ID,
    description: "The site's id for this user",
    example: 1,
  })
  @SiteIdRange('id')
  id: number;

  @ApiPropertyOptional({
    pattern: PASSKEY.source,
    description: 'Generated when absent',
    example: 'Xq3u0cLr9aZkP1m7Vb2nT8wE4yH6jD5s',
  })
  @IsOptional()
  @Matches(PASSKEY, { message: PASSKEY_MESSAGE })
  passkey?: string;

  @ApiPropertyOptional({ default: true, example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: true, example: true })
  @IsOptional()
  @IsBoolean()
  canLeech?: boolean;

  @OptionalMultiplier()
  uploadMultiplier?: number;

  @OptionalMultiplier()
  downloadMultiplier?: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: MAX_DOWNLOAD_SLOTS,
    default: null,
    description:
      'The most torrents the user may leech at once (seeding is never limited); null: no limit. ' +
      'A leeching announce that would start another torrent beyond it is refused.',
    example: 5,
  })
  @IsOptional()
  @IsInt({ message: 'downloadSlots must be a non-negative integer or null' })
  @Min(0, { message: 'downloadSlots must be a non-negative integer or null' })
  @Max(MAX_DOWNLOAD_SLOTS, { message: `downloadSlots must not exceed ${MAX_DOWNLOAD_SLOTS}` })
  downloadSlots?: number | null;
}

/** The same fields as creation, less the identity (`id`) and the passkey, which has its own route. */
export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['id', 'passkey'] as const)) {}

export class RotatePasskeyDto {
  @ApiPropertyOptional({
    pattern: PASSKEY.source,
    description: 'Generated when absent',
    example: 'Xq3u0cLr9aZkP1m7Vb2nT8wE4yH6jD5s',
  })
  @IsOptional()
  @Matches(PASSKEY, { message: PASSKEY_MESSAGE })
  passkey?: string;
}
