import { ApiProperty } from '@nestjs/swagger';
import { AdminErrorCode } from 'src/admin/common/admin.exception';

export class BulkFailureDto {
  @ApiProperty({ type: 'integer', description: 'Position of the item in the request', example: 3 })
  index: number;
  @ApiProperty({ enum: AdminErrorCode, enumName: 'ErrorCode', example: AdminErrorCode.PasskeyTaken })
  code: AdminErrorCode;
  @ApiProperty({ example: 'passkey is already in use' })
  message: string;
}

export class BulkResultDto {
  @ApiProperty({ type: 'integer', example: 9998 })
  created: number;
  @ApiProperty({ type: 'integer', description: 'Existing items, changed or already as given', example: 1 })
  updated: number;
  @ApiProperty({ type: [BulkFailureDto] })
  failed: BulkFailureDto[];
}
