import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AdminErrorCode } from 'src/admin/common/admin.exception';

/** The body of every error answer of /api. */
export class ErrorDto {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode: number;

  @ApiProperty({ enum: AdminErrorCode, enumName: 'ErrorCode', example: AdminErrorCode.ValidationFailed })
  code: AdminErrorCode;

  @ApiProperty({ example: 'id must be a positive integer' })
  message: string;

  @ApiPropertyOptional({ description: 'The request field at fault (validation errors)', example: 'id' })
  field?: string;
}
