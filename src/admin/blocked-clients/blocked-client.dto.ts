import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { VERSION_PATTERN } from 'src/clients/client-version.util';

const VERSION_DESCRIPTION =
  'A version as read from an Azureus-style peer_id `-XXabcd-`: each of its four characters is one component, 0-9 or ' +
  'A-Z/a-z for 10-35 (`-qB4250-` is 4.2.5, `-TR4050-` is 4.0.5); missing components are 0.';
const VERSION_MESSAGE = 'must be 1 to 4 dot-separated numbers of 0 to 35, such as 4.3 or 4.2.5';

export class CreateBlockedClientDto {
  @ApiProperty({ example: '-qB', description: 'peer_id prefix', pattern: '^[\\x21-\\x7e]{1,20}$' })
  @Matches(/^[\x21-\x7e]{1,20}$/, { message: 'prefix must be 1 to 20 printable ASCII characters' })
  prefix: string;

  @ApiPropertyOptional({
    example: '4.0',
    pattern: VERSION_PATTERN.source,
    description: `Only versions from this one (inclusive). ${VERSION_DESCRIPTION}`,
  })
  @IsOptional()
  @Matches(VERSION_PATTERN, { message: `versionFrom ${VERSION_MESSAGE}` })
  versionFrom?: string;

  @ApiPropertyOptional({
    example: '4.3',
    pattern: VERSION_PATTERN.source,
    description: `Only versions below this one (exclusive). ${VERSION_DESCRIPTION}`,
  })
  @IsOptional()
  @Matches(VERSION_PATTERN, { message: `versionBelow ${VERSION_MESSAGE}` })
  versionBelow?: string;

  @ApiProperty({
    example: 'qBittorrent before 4.3 misreports uploads.',
    minLength: 1,
    maxLength: 200,
    description: "Shown to the client after 'Your client is blocked: '",
  })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class BlockedClientDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: '-qB' })
  prefix: string;

  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'Inclusive; null: no lower bound' })
  versionFrom: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '4.3', description: 'Exclusive; null: no upper bound' })
  versionBelow: string | null;

  @ApiProperty({ example: 'qBittorrent before 4.3 misreports uploads.' })
  reason: string;
}
