export enum AdminErrorCode {
  UserNotFound = 'USER_NOT_FOUND',
  TorrentNotFound = 'TORRENT_NOT_FOUND',
  ClientNotFound = 'CLIENT_NOT_FOUND',
  UserExists = 'USER_EXISTS',
  PasskeyTaken = 'PASSKEY_TAKEN',
  TorrentExists = 'TORRENT_EXISTS',
  ClientExists = 'CLIENT_EXISTS',
}

/** A rule of the admin API said no; AdminExceptionFilter turns the code into 404 or 409. */
export class AdminException extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AdminException';
  }
}
