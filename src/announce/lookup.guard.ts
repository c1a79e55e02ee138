import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { decodeInfoHash, parseAnnounceRequest } from 'src/announce/protocol/announce-request';
import { toPeerAddress } from 'src/announce/protocol/peer-address.util';
import { queryOf, splitQuery } from 'src/announce/protocol/raw-query.util';
import { trackerActionOf, type TrackerRequest } from 'src/announce/tracker-request';
import { LookupService } from 'src/lookup/lookup.service';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

const PASSKEY = /^[0-9A-Za-z]{32}$/;
/** CONTRACT §3. */
export const MAX_SCRAPE_HASHES = 100;

/**
 * The "caching interceptor" of the design: before an announce or scrape handler runs, it decodes the raw query,
 * resolves the passkey and info hashes through the cached LookupService, refuses what must be refused, and attaches
 * the result to the request. It never caches a response. It is a Nest guard rather than an interceptor because
 * an interceptor wraps every announce in an RxJS pipeline: measured at 6-7 µs and ~10 KB of garbage per announce.
 */
@Injectable()
export class LookupGuard implements CanActivate {
  constructor(private readonly lookup: LookupService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const startedAt = process.hrtime.bigint();
    const request = context.switchToHttp().getRequest<TrackerRequest>();
    const user = await this.resolveUser((request.params as { passkey?: string }).passkey);
    const query = splitQuery(queryOf(request.url));

    if (trackerActionOf(request) === 'scrape') {
      request.scrape = { user, torrents: await this.resolveScrapeTorrents(query.get('info_hash')), startedAt };
    } else {
      const parsed = parseAnnounceRequest(query);
      const address = toPeerAddress(request.ip);
      if (!address) {
        throw AnnounceFailure.badRequest('Your address could not be read.');
      }
      request.announce = {
        user,
        torrent: await this.resolveTorrent(parsed.infoHash),
        request: parsed,
        address,
        startedAt,
      };
    }
    return true;
  }

  private async resolveUser(passkey: string | undefined): Promise<UserSnapshot> {
    if (!passkey || !PASSKEY.test(passkey)) {
      throw new AnnounceFailure(FailureCode.BadPasskey, 'Invalid passkey: it must be 32 letters and digits.');
    }
    const user = await this.lookup.userByPasskey(passkey);
    if (!user) {
      throw new AnnounceFailure(
        FailureCode.UnknownPasskey,
        'Unknown passkey. Download the torrent again from the site.',
      );
    }
    if (!user.enabled) {
      throw new AnnounceFailure(FailureCode.DisabledUser, 'Your account is disabled.');
    }
    return user;
  }

  private async resolveTorrent(infoHash: string): Promise<TorrentSnapshot> {
    const torrent = await this.lookup.torrent(infoHash);
    if (!torrent) {
      throw new AnnounceFailure(FailureCode.UnknownTorrent, 'This torrent is not registered with this tracker.');
    }
    if (torrent.deleted) {
      throw new AnnounceFailure(FailureCode.DeletedTorrent, 'This torrent has been deleted.', 'never');
    }
    return torrent;
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
