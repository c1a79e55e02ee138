import {
  applyDecorators,
  BadRequestException,
  Controller,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { AdminAuthGuard } from 'src/admin/auth/admin-auth.guard';
import { AdminExceptionFilter } from 'src/admin/common/admin-exception.filter';

/** One 400 message that names every offending field, e.g. "id must be a positive integer". */
function validationMessage(errors: ValidationError[]): string {
  return errors
    .flatMap((error) => Object.values(error.constraints ?? { invalid: `${error.property} is invalid` }))
    .join('; ');
}

const adminValidation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new BadRequestException(validationMessage(errors)),
});

/** A controller of the admin API: under /api, bearer token, validated input, domain errors as 404/409. */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(
    Controller(`api/${path}`),
    ApiTags(path),
    ApiBearerAuth(),
    UseGuards(AdminAuthGuard),
    UsePipes(adminValidation),
    UseFilters(AdminExceptionFilter),
  );
}
