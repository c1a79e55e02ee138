import type { ValueTransformer } from 'typeorm';

/**
 * pg returns int8 as a string to stay exact; byte counts stay far below 2^53 (8 PiB), so numbers are exact
 * and the admin API can answer JSON integers.
 */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
