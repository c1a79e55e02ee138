import { QueryFailedError } from 'typeorm';

/** PostgreSQL's unique_violation; the repositories turn it into a "duplicate" answer instead of a 500. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}
