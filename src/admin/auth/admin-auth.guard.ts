import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminTokenService } from 'src/admin/auth/admin-token.service';

/** `Authorization: Bearer <ADMIN_TOKEN>` on every /api route. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly tokens: AdminTokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match || !this.tokens.matches(match[1])) {
      throw new UnauthorizedException('A valid bearer token is required');
    }
    return true;
  }
}
