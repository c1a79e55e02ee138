import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty } from 'class-validator';
import { isIP, isIPv6 } from 'node:net';
import { clientKey } from 'src/common/client-key.util';

const TIME = '2026-01-31T12:00:00.000Z';

export class BanDto {
  @ApiProperty({ description: 'An IPv4 address, or an IPv6 /64', example: '203.0.113.7' })
  ip: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: TIME })
  since: string;
  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-31T12:10:00.000Z' })
  until: string;
  @ApiProperty({
    type: 'integer',
    description: 'Unknown passkeys or info hashes counted in the window that led to the ban',
    example: 51,
  })
  failures: number;
}

export class BanListDto {
  @ApiProperty({ type: [BanDto], description: 'Every ban in force, latest first' })
  items: BanDto[];
}

/** An address, or an IPv6 /64 as GET /api/bans lists it (`%2F64`); an IPv6 address names its /64. */
export class BanIpParams {
  @ApiProperty({
    description: 'An IPv4 or IPv6 address, or an IPv6 /64 as listed (`2001:db8:0:1::%2F64`)',
    example: '203.0.113.7',
  })
  @Transform(({ value }: { value: unknown }) => banKeyOf(value))
  @IsNotEmpty({ message: 'ip must be an IP address, or an IPv6 /64' })
  ip: string;
}

function banKeyOf(value: unknown): string {
  if (typeof value !== 'string') {
    return '';
  }
  const network = value.endsWith('/64') ? value.slice(0, -3) : null;
  if (network !== null) {
    return isIPv6(network) ? clientKey(network) : '';
  }
  return isIP(value) ? clientKey(value) : '';
}
