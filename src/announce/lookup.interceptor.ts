import { Injectable } from '@nestjs/common';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { decodeInfoHash, parseAnnounceRequest } from 'src/announce/protocol/announce-request';
import { PeerAddressCache } from 'src/announce/protocol/peer-address.util';
import { queryOf, splitQuery } from 'src/announce/protocol/raw-query.util';
import type { AnnounceContext, ScrapeContext, TrackerHttpRequest } from 'src/announce/tracker-request';
import { LookupService } from 'src/lookup/lookup.service';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

const PASSKEY = /^[0-9A-Za-z]{32}$/;
/** CONTRACT §3. */
export const MAX_SCRAPE_HASHES = 100;

/**
 * The "caching interceptor" of the design, run by AnnounceRoutes before each handler: it decodes the raw query,
 * resolves the passkey and info hashes through the cached LookupService, refuses what must be refused, and hands
 * the handler what it resolved. It never caches a response.
 */
@Injectable()
export class LookupInterceptor {
  private readonly addresses = new PeerAddressCache();

  constructor(private readonly lookup: LookupService) {}

  // Lookups are answered from the cache without an await; only a miss waits for PostgreSQL.
  async announce(request: TrackerHttpRequest): Promise<AnnounceContext> {
    const passkey = passkeyOf(request);
    const cachedUser = this.lookup.cachedUser(passkey);
    const user = usable(cachedUser !== undefined ? cachedUser : await this.lookup.userByPasskey(passkey));
    const parsed = parseAnnounceRequest(splitQuery(queryOf(request.url)));
    const address = request.ip === undefined ? null : this.addresses.of(request.ip);
    if (!address) {
      throw AnnounceFailure.badRequest('Your address could not be read.');
    }
    const cachedTorrent = this.lookup.cachedTorrent(parsed.infoHash);
    const torrent = live(cachedTorrent !== undefined ? cachedTorrent : await this.lookup.torrent(parsed.infoHash));
    return { user, torrent, request: parsed, address, startedAt: request.startedAt };
  }

  async scrape(request: TrackerHttpRequest): Promise<ScrapeContext> {
    const user = usable(await this.lookup.userByPasskey(passkeyOf(request)));
    const rawHashes = splitQuery(queryOf(request.url)).get('info_hash');
    return { user, torrents: await this.resolveScrapeTorrents(rawHashes), startedAt: request.startedAt };
  }

  private async resolveScrapeTorrents(rawHashes: string[] | undefined) {
    if (!rawHashes || rawHashes.length === 0) {
      throw AnnounceFailure.badRequest('Missing info_hash: full scrapes are not allowed.');
    }
    if (rawHashes.length > MAX_SCRAPE_HASHES) {
      throw AnnounceFailure.badRequest(`Too many info_hash values: at most ${MAX_SCRAPE_HASHES}.`);
    }
    const raw = new Map(rawHashes.map((text) => decodeInfoHash(text)).map((bytes) => [bytes.toString('hex'), bytes]));
    const known = await this.lookup.torrentsByInfoHash([...raw.keys()]);
    return [...known.values()]
      .filter((snapshot) => !snapshot.deleted)
      .map((snapshot) => ({ snapshot, rawInfoHash: raw.get(snapshot.infoHash)! }));
  }
}

function passkeyOf({ passkey }: TrackerHttpRequest): string {
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

function usable(user: UserSnapshot | null): UserSnapshot {
  if (!user) {
    throw new AnnounceFailure(FailureCode.UnknownPasskey, 'Unknown passkey. Download the torrent again from the site.');
  }
  if (!user.enabled) {
    throw new AnnounceFailure(FailureCode.DisabledUser, 'Your account is disabled.');
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
