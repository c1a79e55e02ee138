import { Transform } from 'class-transformer';

/**
 * A path or query integer, decimal digits only: Number() would also take `0x1`, `1e3`, ` 7` or `0b1`.
 * Anything else becomes NaN, which the field's @IsInt() then refuses with its own message.
 */
export function parseDecimal(value: unknown): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  return /^[0-9]{1,16}$/.test(value) ? Number(value) : Number.NaN;
}

/** Applies parseDecimal to a path or query field. */
export function DecimalString(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => parseDecimal(value));
}
