import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateClientDto {
  @ApiProperty({ example: '-qB45', description: 'peer_id prefix', pattern: '^[\\x21-\\x7e]{1,20}$' })
  @Matches(/^[\x21-\x7e]{1,20}$/, { message: 'prefix must be 1 to 20 printable ASCII characters' })
  prefix: string;

  @ApiProperty({ example: 'qBittorrent 4.5', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}
