import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminTokenService } from 'src/admin/auth/admin-token.service';
import { clientKey } from 'src/common/client-key.util';
import { FailedAuthThrottle } from 'src/admin/auth/failed-auth-throttle';

/** A client that sends this many wrong tokens within a minute waits for the rest of that minute. */
export const ADMIN_AUTH_MAX_FAILURES = 10;
const ADMIN_AUTH_WINDOW_MS = 60_000;

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` on every /api route. Failed tokens are throttled per client IP (the one
 * TRUST_PROXY yields): past the limit, 429 with Retry-After, and the token is not even looked at.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly logger = new Logger(AdminAuthGuard.name);
  /** One per guard, and Nest makes one guard for the admin module: shared by every /api route. */
  private readonly throttle = new FailedAuthThrottle({
    maxFailures: ADMIN_AUTH_MAX_FAILURES,
    windowMs: ADMIN_AUTH_WINDOW_MS,
    maxClients: 100_000,
  });

  constructor(private readonly tokens: AdminTokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const client = clientKey(request.ip);
    const retryAfter = this.throttle.retryAfterSeconds(client);
    if (retryAfter > 0) {
      void http.getResponse<FastifyReply>().header('retry-after', String(retryAfter));
      throw new HttpException(
        `Too many failed admin tokens from this address; retry in ${retryAfter} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match || !this.tokens.matches(match[1])) {
      this.throttle.recordFailure(client);
      if (this.throttle.retryAfterSeconds(client) > 0) {
        this.logger.warn(`Admin API: ${ADMIN_AUTH_MAX_FAILURES} failed tokens from ${client}; throttled`);
      }
      throw new UnauthorizedException('A valid bearer token is required');
    }
    return true;
  }
}
