import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { DecimalString } from 'src/admin/common/decimal.util';

export const MAX_SITE_ID = 2_147_483_647;

export class UserIdParams {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'Decimal digits only', example: 1 })
  @DecimalString()
  @IsInt({ message: 'id must be a positive integer' })
  @Min(1, { message: 'id must be a positive integer' })
  @Max(MAX_SITE_ID, { message: `id must not exceed ${MAX_SITE_ID}` })
  id: number;
}

export class InfoHashParams {
  @ApiProperty({ pattern: '^[0-9a-fA-F]{40}$', example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'infoHash must be 40 hexadecimal characters' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  infoHash: string;
}

export class ClientPrefixParams {
  @ApiProperty({ example: '-qB45' })
  @Matches(/^[\x21-\x7e]{1,20}$/, { message: 'prefix must be 1 to 20 printable ASCII characters' })
  prefix: string;
}

export class BlockedClientIdParams {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'Decimal digits only', example: 1 })
  @DecimalString()
  @IsInt({ message: 'id must be a positive integer' })
  @Min(1, { message: 'id must be a positive integer' })
  @Max(MAX_SITE_ID, { message: `id must not exceed ${MAX_SITE_ID}` })
  id: number;
}
