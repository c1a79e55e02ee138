/** Why an announce or scrape was refused; the code labels metrics, the message goes to the client. */
export enum FailureCode {
  BadPasskey = 'bad_passkey',
  UnknownPasskey = 'unknown_passkey',
  DisabledUser = 'disabled_user',
  LeechNotAllowed = 'leech_not_allowed',
  UnknownTorrent = 'unknown_torrent',
  DeletedTorrent = 'deleted_torrent',
  BadRequest = 'bad_request',
  ClientNotAllowed = 'client_not_allowed',
  ClientBlocked = 'client_blocked',
  ClientUserAgentMismatch = 'client_user_agent_mismatch',
  Unavailable = 'unavailable',
  TooManyUnknownKeys = 'too_many_unknown_keys',
  PeerLimit = 'peer_limit',
  TooSoon = 'too_soon',
  DownloadSlots = 'download_slots',
}

/**
 * A refused announce or scrape. TrackerCore turns it into a Refusal, which a transport answers (HTTP: a bencoded `failure reason` with HTTP 200).
 * `retryIn` is BEP 31's hint in minutes, or 'never'; absent when the client's own back-off is right.
 */
export class AnnounceFailure extends Error {
  /** The step that refused (a policy's class name, or AnnounceLookupStep), for the staff's announce log. */
  policy: string | undefined;
  /** The user it concerns, once the passkey is resolved, for the staff's announce log. */
  userId: number | undefined;

  constructor(
    readonly code: FailureCode,
    readonly reason: string,
    readonly retryIn?: number | 'never',
  ) {
    super(reason);
    this.name = 'AnnounceFailure';
  }

  static badRequest(reason: string): AnnounceFailure {
    return new AnnounceFailure(FailureCode.BadRequest, reason);
  }

  /** A path that is not valid percent-encoding, whether the tracker server or Fastify found it. */
  static malformedUrl(): AnnounceFailure {
    return AnnounceFailure.badRequest('Malformed URL: the path is not valid percent-encoding.');
  }
}
