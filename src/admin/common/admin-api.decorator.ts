import { applyDecorators, Controller, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from 'src/admin/auth/admin-auth.guard';
import { AdminValidationPipe } from 'src/admin/common/admin-validation.pipe';

const adminValidation = new AdminValidationPipe();

/** A controller of the admin API: under /api, bearer token, validated input, errors answered by AdminErrorFilter. */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(
    Controller(`api/${path}`),
    ApiTags(path),
    ApiBearerAuth(),
    UseGuards(AdminAuthGuard),
    UsePipes(adminValidation),
  );
}
