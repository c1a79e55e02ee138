import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';

/** An optional credit multiplier: a finite number from 0 to 100. */
export function OptionalMultiplier(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'number', minimum: 0, maximum: 100, default: 1, example: 1 }),
    IsOptional(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(0),
    Max(100),
  );
}
