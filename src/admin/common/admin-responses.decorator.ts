import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from 'src/admin/common/error.dto';

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Invalid JSON, body or parameter (code VALIDATION_FAILED, INVALID_JSON, INVALID_URL)',
  [HttpStatus.UNAUTHORIZED]: 'Missing or wrong bearer token (code UNAUTHORIZED)',
  [HttpStatus.NOT_FOUND]:
    'Unknown resource (code USER_NOT_FOUND, TORRENT_NOT_FOUND, CLIENT_NOT_FOUND, BLOCKED_CLIENT_NOT_FOUND, PROMOTION_NOT_FOUND, BAN_NOT_FOUND)',
  [HttpStatus.CONFLICT]:
    'Duplicate (code USER_EXISTS, PASSKEY_TAKEN, TORRENT_EXISTS, CLIENT_EXISTS, BLOCKED_CLIENT_EXISTS)',
  [HttpStatus.GONE]: 'The cursor is older than the retention (code CURSOR_EXPIRED): resync with the lists',
};

/**
 * One admin operation in the OpenAPI document: its summary, its success answer and its error answers, all of
 * them ErrorDto. 400 and 401 apply to every operation.
 */
export function AdminOperation(
  summary: string,
  success: { status: HttpStatus; type?: unknown; description?: string },
  ...errors: HttpStatus[]
): MethodDecorator {
  const statuses = [...new Set([HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED, ...errors])];
  return applyDecorators(
    ApiOperation({ summary }),
    ApiResponse({
      status: success.status,
      description: success.description ?? 'Success',
      ...(success.type === undefined ? {} : { type: success.type as never }),
    }),
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorDto })),
  );
}
