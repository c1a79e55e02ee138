import { HttpStatus } from '@nestjs/common';
import { AdminErrorCode } from 'src/admin/common/admin.exception';

/** The HTTP status of each code; exhaustive, so a new code cannot ship without one. */
export function statusOf(code: AdminErrorCode): HttpStatus {
  switch (code) {
    case AdminErrorCode.ValidationFailed:
    case AdminErrorCode.InvalidJson:
    case AdminErrorCode.InvalidUrl:
    case AdminErrorCode.BadRequest:
      return HttpStatus.BAD_REQUEST;
    case AdminErrorCode.Unauthorized:
      return HttpStatus.UNAUTHORIZED;
    case AdminErrorCode.NotFound:
    case AdminErrorCode.UserNotFound:
    case AdminErrorCode.TorrentNotFound:
    case AdminErrorCode.ClientNotFound:
    case AdminErrorCode.BanNotFound:
    case AdminErrorCode.BlockedClientNotFound:
    case AdminErrorCode.PromotionNotFound:
      return HttpStatus.NOT_FOUND;
    case AdminErrorCode.UserExists:
    case AdminErrorCode.PasskeyTaken:
    case AdminErrorCode.TorrentExists:
    case AdminErrorCode.ClientExists:
    case AdminErrorCode.BlockedClientExists:
      return HttpStatus.CONFLICT;
    case AdminErrorCode.CursorExpired:
      return HttpStatus.GONE;
    case AdminErrorCode.BodyTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case AdminErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case AdminErrorCode.Internal:
      return HttpStatus.INTERNAL_SERVER_ERROR;
  }
}

/** Fastify's own request errors (body parsing, limits), by their FST_ code. */
export function codeOfFastifyError(fastifyCode: string | undefined, status: number): AdminErrorCode {
  switch (fastifyCode ?? '') {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AdminErrorCode.InvalidJson;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return AdminErrorCode.BodyTooLarge;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return AdminErrorCode.UnsupportedMediaType;
    default:
      return status === 404 ? AdminErrorCode.NotFound : AdminErrorCode.BadRequest;
  }
}
