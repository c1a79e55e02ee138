import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { DecimalString } from 'src/admin/common/decimal.util';

export const MAX_SITE_ID = 2_147_483_647;

/**
 * A site id (a user's, a torrent's): a positive integer that fits PostgreSQL's integer. `field` names it in the
 * messages. Registered in the order the three stacked decorators always were, so the joined message stays the same.
 */
export function SiteIdRange(field: string): PropertyDecorator {
  return applyDecorators(
    Max(MAX_SITE_ID, { message: `${field} must not exceed ${MAX_SITE_ID}` }),
    Min(1, { message: `${field} must be a positive integer` }),
    IsInt({ message: `${field} must be a positive integer` }),
  );
}

export class UserIdParams {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'Decimal digits only', example: 1 })
  @DecimalString()
  @SiteIdRange('id')
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
  @SiteIdRange('id')
  id: number;
}
