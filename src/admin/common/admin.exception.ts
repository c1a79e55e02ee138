/** The stable `code` of every 4xx answer of the admin API; sites branch on these, so they never change meaning. */
export enum AdminErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  InvalidJson = 'INVALID_JSON',
  InvalidUrl = 'INVALID_URL',
  BodyTooLarge = 'BODY_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  BadRequest = 'BAD_REQUEST',
  Unauthorized = 'UNAUTHORIZED',
  NotFound = 'NOT_FOUND',
  UserNotFound = 'USER_NOT_FOUND',
  TorrentNotFound = 'TORRENT_NOT_FOUND',
  ClientNotFound = 'CLIENT_NOT_FOUND',
  BanNotFound = 'BAN_NOT_FOUND',
  BlockedClientNotFound = 'BLOCKED_CLIENT_NOT_FOUND',
  PromotionNotFound = 'PROMOTION_NOT_FOUND',
  UserExists = 'USER_EXISTS',
  PasskeyTaken = 'PASSKEY_TAKEN',
  TorrentExists = 'TORRENT_EXISTS',
  ClientExists = 'CLIENT_EXISTS',
  BlockedClientExists = 'BLOCKED_CLIENT_EXISTS',
  CursorExpired = 'CURSOR_EXPIRED',
  Internal = 'INTERNAL_ERROR',
}

/** A rule of the admin API said no; AdminErrorFilter answers `{statusCode, code, message, field?}`. */
export class AdminException extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    /** The request field at fault, for validation errors. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AdminException';
  }
}
