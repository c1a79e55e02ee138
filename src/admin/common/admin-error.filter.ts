import { type ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codeOfFastifyError, statusOf } from 'src/admin/common/admin-error-status.util';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';

/** The one error body of /api (CONTRACT §5; documented as ErrorDto). */
export interface AdminErrorBody {
  statusCode: number;
  code: AdminErrorCode;
  message: string;
  field?: string;
}

/**
 * Every error of a request under /api, thrown by a route or by Fastify before it (bad JSON, body too large,
 * unknown route), becomes `{statusCode, code, message, field?}`. Registered globally (APP_FILTER), so other paths
 * are handed back to Nest's default handling. Client errors are logged at debug only: an aborted or malformed body
 * must not let one client flood the log before any token check.
 */
@Catch()
export class AdminErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(AdminErrorFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!isAdminPath(request.url)) {
      super.catch(exception, host);
      return;
    }
    const body = this.toBody(exception, request);
    void http.getResponse<FastifyReply>().status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): AdminErrorBody {
    if (exception instanceof AdminException) {
      const body: AdminErrorBody = {
        statusCode: statusOf(exception.code),
        code: exception.code,
        message: exception.message,
      };
      return exception.field === undefined ? body : { ...body, field: exception.field };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code =
        status === 401
          ? AdminErrorCode.Unauthorized
          : status === 404
            ? AdminErrorCode.NotFound
            : status === 400 && /JSON/i.test(exception.message)
              ? AdminErrorCode.InvalidJson
              : codeOfFastifyError(undefined, status);
      if (status < 500) {
        return { statusCode: status, code, message: exception.message };
      }
    }
    const fastify = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      const code = codeOfFastifyError(typeof fastify.code === 'string' ? fastify.code : undefined, fastify.statusCode);
      this.logger.debug(`${request.method} ${request.url}: ${String(fastify.message)}`);
      return { statusCode: statusOf(code), code, message: String(fastify.message) };
    }
    const error = exception as Error;
    this.logger.error(`${request.method} ${request.url} failed: ${error?.message}`, error?.stack);
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: AdminErrorCode.Internal,
      message: 'Internal server error',
    };
  }
}

function isAdminPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}
