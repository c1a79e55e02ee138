import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminErrorCode, AdminException } from 'src/admin/common/admin.exception';

@Catch(AdminException)
export class AdminExceptionFilter implements ExceptionFilter<AdminException> {
  catch(exception: AdminException, host: ArgumentsHost): void {
    const status = statusOf(exception.code);
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(status)
      .send({ statusCode: status, error: exception.code, message: exception.message });
  }
}

function statusOf(code: AdminErrorCode): HttpStatus {
  switch (code) {
    case AdminErrorCode.UserNotFound:
    case AdminErrorCode.TorrentNotFound:
    case AdminErrorCode.ClientNotFound:
      return HttpStatus.NOT_FOUND;
    case AdminErrorCode.UserExists:
    case AdminErrorCode.PasskeyTaken:
    case AdminErrorCode.TorrentExists:
    case AdminErrorCode.ClientExists:
      return HttpStatus.CONFLICT;
  }
}
