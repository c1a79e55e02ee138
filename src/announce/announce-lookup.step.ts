import { Inject, Injectable } from '@nestjs/common';
import { AbuseBanService } from 'src/abuse/abuse-ban.service';
import type { AnnounceInput, ScrapeInput } from 'src/announce/announce-outcome';
import { creditFactors, type CreditFactors } from 'src/announce/credit-factors.util';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import { PeerAddressCache, type PeerAddress } from 'src/announce/protocol/peer-address.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { LookupService } from 'src/lookup/lookup.service';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

const PASSKEY = /^[0-9A-Za-z]{32}$/;
/** CONTRACT §3. */
export const MAX_SCRAPE_HASHES = 100;

/** What the lookup step resolved for an announce; the policy steps read it and may change the last two fields. */
export interface AnnounceContext {
  readonly user: UserSnapshot;
  readonly torrent: TorrentSnapshot;
  readonly request: AnnounceRequest;
  readonly address: PeerAddress;
  /** The client's User-Agent, where the transport has one (HTTP); undefined on UDP or when not sent. */
  readonly userAgent: string | undefined;
  readonly startedAt: number;
  /** CONTRACT §4's factors for this announce (this object is the announce's own: steps may change it). */
  credit: CreditFactors;
  /** BEP 3's `warning message`, answered beside a normal answer (addWarning). */
  warning: string | undefined;
  /** Set by the pipeline: the last step that warned or, in observe mode, would have refused (the announce log's). */
  actedBy: string | undefined;
  /** Set by the pipeline: what a step in observe mode would have answered instead. */
  wouldRefuse: AnnounceFailure | undefined;
  /** Cheat flag kinds raised by steps (addFlag): the store records them with this announce's evidence. */
  flags: string[] | undefined;
}

/** What it resolved for a scrape: the user, and the known, live torrents among the requested hashes. */
export interface ScrapeContext {
  user: UserSnapshot;
  torrents: { snapshot: TorrentSnapshot; rawInfoHash: Buffer }[];
  startedAt: number;
}

/**
 * The design's "caching interceptor" for passkey and info_hash reads. It is not a NestInterceptor: announce and
 * scrape never go through Nest's router (src/announce/http/README.md says why), so it is the core's first step,
 * called by TrackerCore for every transport. It resolves the passkey and info hashes through the cached
 * LookupService and refuses what must be refused. It never caches a response.
 *
 * An address that keeps sending unknown passkeys or info hashes is banned, and refused before any lookup
 * (AbuseBanService), so that guessing keys costs PostgreSQL nothing.
 */
@Injectable()
export class AnnounceLookupStep {
  private readonly addresses = new PeerAddressCache();

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly lookup: LookupService,
    private readonly bans: AbuseBanService,
  ) {}

  /**
   * Synchronous when the passkey and the info hash are in the lookup cache, as they are for nearly every announce:
   * only a miss returns a promise, which waits for PostgreSQL.
   */
  announce(input: AnnounceInput): AnnounceContext | Promise<AnnounceContext> {
    const passkey = passkeyOf(input.passkey);
    const now = this.refuseFlooder(input.ip);
    const cachedUser = this.lookup.cachedUser(passkey);
    if (cachedUser === undefined) {
      return this.lookup.userByPasskey(passkey).then((found) => this.announceFor(input, found, now));
    }
    return this.announceFor(input, cachedUser, now);
  }

  private announceFor(
    input: AnnounceInput,
    found: UserSnapshot | null,
    now: number,
  ): AnnounceContext | Promise<AnnounceContext> {
    const user = usable(this.counted(found, input.ip, now));
    // A failure from here on is the user's: the staff's announce log shows it, with the step that refused.
    try {
      const request = input.request;
      if (request instanceof AnnounceFailure) {
        throw request;
      }
      const address = input.ip === undefined ? null : this.addresses.of(input.ip);
      if (!address) {
        throw AnnounceFailure.badRequest('Your address could not be read.');
      }
      const cachedTorrent = this.lookup.cachedTorrent(request.infoHash);
      if (cachedTorrent === undefined) {
        return this.lookup
          .torrent(request.infoHash)
          .then((torrent) => this.contextFor(input, user, request, address, torrent, now))
          .catch((error: unknown) => {
            throw usersFailure(error, user);
          });
      }
      return this.contextFor(input, user, request, address, cachedTorrent, now);
    } catch (error) {
      throw usersFailure(error, user);
    }
  }

  private contextFor(
    input: AnnounceInput,
    user: UserSnapshot,
    request: AnnounceRequest,
    address: PeerAddress,
    found: TorrentSnapshot | null,
    now: number,
  ): AnnounceContext {
    const torrent = live(this.counted(found, input.ip, now));
    return {
      user,
      torrent,
      request,
      address,
      userAgent: input.userAgent,
      startedAt: input.startedAt,
      credit: creditFactors(user, torrent, this.config.globalFreeleech),
      warning: undefined,
      flags: undefined,
      actedBy: undefined,
      wouldRefuse: undefined,
    };
  }

  async scrape(input: ScrapeInput): Promise<ScrapeContext> {
    const passkey = passkeyOf(input.passkey);
    const now = this.refuseFlooder(input.ip);
    const user = usable(this.counted(await this.lookup.userByPasskey(passkey), input.ip, now));
    return {
      user,
      torrents: await this.resolveScrapeTorrents(input.infoHashes, input.ip, now),
      startedAt: input.startedAt,
    };
  }

  /** Refuses an address past its unknown keys; the time, for counting this request's own. */
  private refuseFlooder(ip: string | undefined): number {
    const now = Date.now();
    const refusedMs = ip === undefined ? 0 : this.bans.refusedFor(ip, now);
    if (refusedMs > 0) {
      throw new AnnounceFailure(
        FailureCode.TooManyUnknownKeys,
        'Too many unknown passkeys or torrents from your address.',
        Math.ceil(refusedMs / 60_000),
      );
    }
    return now;
  }

  /** Counts a lookup that found nothing against the address. */
  private counted<T>(found: T | null, ip: string | undefined, now: number): T | null {
    if (found === null && ip !== undefined) {
      this.bans.recordFailure(ip, now);
    }
    return found;
  }

  private async resolveScrapeTorrents(hashes: Buffer[] | AnnounceFailure, ip: string | undefined, now: number) {
    if (hashes instanceof AnnounceFailure) {
      throw hashes;
    }
    if (hashes.length === 0) {
      throw AnnounceFailure.badRequest('Missing info_hash: full scrapes are not allowed.');
    }
    if (hashes.length > MAX_SCRAPE_HASHES) {
      throw AnnounceFailure.badRequest(`Too many info_hash values: at most ${MAX_SCRAPE_HASHES}.`);
    }
    const raw = new Map(hashes.map((bytes) => [bytes.toString('hex'), bytes]));
    const known = await this.lookup.torrentsByInfoHash([...raw.keys()]);
    if (known.size < raw.size) {
      this.counted(null, ip, now);
    }
    return [...known.values()]
      .filter((snapshot) => !snapshot.deleted)
      .map((snapshot) => ({ snapshot, rawInfoHash: raw.get(snapshot.infoHash)! }));
  }
}

function passkeyOf(passkey: string | null | undefined): string {
  if (passkey === null) {
    // A torrent made without the passkey in its announce URL.
    throw new AnnounceFailure(FailureCode.BadPasskey, 'Missing passkey: download the torrent again from the site.');
  }
  if (passkey === undefined) {
    throw AnnounceFailure.malformedUrl();
  }
  if (!PASSKEY.test(passkey)) {
    throw new AnnounceFailure(FailureCode.BadPasskey, 'Invalid passkey: it must be 32 letters and digits.');
  }
  return passkey;
}

/** Marks a refusal met after the user was known as the user's, for the announce log. */
function usersFailure(error: unknown, user: UserSnapshot): unknown {
  if (error instanceof AnnounceFailure) {
    error.userId = user.id;
    error.policy ??= AnnounceLookupStep.name;
  }
  return error;
}

function usable(user: UserSnapshot | null): UserSnapshot {
  if (!user) {
    throw new AnnounceFailure(FailureCode.UnknownPasskey, 'Unknown passkey. Download the torrent again from the site.');
  }
  if (!user.enabled) {
    const failure = new AnnounceFailure(FailureCode.DisabledUser, 'Your account is disabled.');
    failure.userId = user.id;
    failure.policy = AnnounceLookupStep.name;
    throw failure;
  }
  return user;
}

function live(torrent: TorrentSnapshot | null): TorrentSnapshot {
  if (!torrent) {
    throw new AnnounceFailure(FailureCode.UnknownTorrent, 'This torrent is not registered with this tracker.');
  }
  if (torrent.deleted) {
    throw new AnnounceFailure(FailureCode.DeletedTorrent, 'This torrent has been deleted.', 'never');
  }
  return torrent;
}
