import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalString } from 'src/admin/common/decimal.util';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** `?limit=`: items per page. Subclasses add `after`, whose meaning is the list's order. */
export class PageLimitQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE, example: 100 })
  @IsOptional()
  @DecimalString()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: `limit must be from 1 to ${MAX_PAGE}` })
  @Max(MAX_PAGE, { message: `limit must be from 1 to ${MAX_PAGE}` })
  limit?: number;
}

/** A boolean query flag: only `true` or `false`. */
export function parseFlag({ value }: { value: unknown }): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}
