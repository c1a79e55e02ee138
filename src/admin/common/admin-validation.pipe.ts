import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';
import { MAX_BULK_ITEMS } from 'src/admin/common/bulk-item.util';
import { findJsonShapeProblem, MAX_JSON_DEPTH } from 'src/admin/common/json-shape.util';

/** The first offending field's path, e.g. `users` or `id`. */
function firstField(errors: ValidationError[], prefix = ''): string | undefined {
  const error = errors[0];
  if (!error) {
    return undefined;
  }
  const path = prefix === '' ? error.property : `${prefix}.${error.property}`;
  if (!error.constraints && error.children && error.children.length > 0) {
    return firstField(error.children, path) ?? path;
  }
  return path;
}

/** Every message, e.g. "id must be a positive integer; passkey must be 32 characters of [0-9A-Za-z]". */
function messages(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? (error.children?.length ? {} : { invalid: `${error.property} is invalid` })),
    ...messages(error.children ?? []),
  ]);
}

/**
 * class-validator with the admin API's rules: unknown fields refused, one 400 naming every offending field, and
 * bodies too deep or holding a NUL character refused before validation (both were 500s).
 */
@Injectable()
export class AdminValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new AdminException(
          AdminErrorCode.ValidationFailed,
          [...new Set(messages(errors))].join('; '),
          firstField(errors),
        ),
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const problem = findJsonShapeProblem(value);
    if (problem?.kind === 'too-deep') {
      throw new AdminException(AdminErrorCode.InvalidJson, `JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (problem?.kind === 'nul') {
      const field = problem.field || metadata.data || metadata.type;
      throw new AdminException(AdminErrorCode.ValidationFailed, `${field} must not contain a NUL character`, field);
    }
    const bulkField = (metadata.metatype as { bulkField?: unknown } | undefined)?.bulkField;
    if (metadata.type === 'body' && typeof bulkField === 'string') {
      return Promise.resolve(readBulkBody(value, bulkField));
    }
    return super.transform(value, metadata);
  }
}

/**
 * The envelope of a bulk upsert, `{<field>: [...]}`, checked by hand: class-transformer would copy 10,000 items
 * only for the service to read each one itself (bulk-item.util), so that one bad item fails alone.
 */
function readBulkBody(value: unknown, field: string): Record<string, unknown[]> {
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const extra = Object.keys(body).find((key) => key !== field);
  if (extra !== undefined) {
    throw new AdminException(AdminErrorCode.ValidationFailed, `property ${extra} should not exist`, extra);
  }
  const items = body[field];
  if (!Array.isArray(items)) {
    throw new AdminException(AdminErrorCode.ValidationFailed, `${field} must be an array`, field);
  }
  if (items.length > MAX_BULK_ITEMS) {
    throw new AdminException(
      AdminErrorCode.ValidationFailed,
      `${field} must hold at most ${MAX_BULK_ITEMS} items`,
      field,
    );
  }
  return { [field]: items };
}
