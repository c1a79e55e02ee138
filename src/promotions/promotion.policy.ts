import { Injectable } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy, AnnouncePolicyOrder } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { Clock } from 'src/common/clock';
import { LookupService } from 'src/lookup/lookup.service';
import { PromotionScan, type PromotionWindows } from 'src/lookup/promotion-windows';

/**
 * Promotions (issue 14): the credited upload is multiplied by the largest upload factor in force, the credited
 * download by the smallest download factor in force, among the site-wide promotions, the user's own, the torrent's
 * and the user's tokens on this torrent. "In force" is decided here, against the clock, at each announce: nothing is
 * written when a promotion starts or ends. Everything it reads rides in the cached snapshots; an announce with no
 * promotion anywhere costs four null checks.
 */
@Injectable()
@AnnouncePolicy({ order: AnnouncePolicyOrder.Promotions })
export class PromotionPolicy implements AnnouncePolicyStep {
  private readonly scan = new PromotionScan();

  constructor(
    private readonly lookup: LookupService,
    private readonly clock: Clock,
  ) {}

  check(context: AnnounceContext): void | Promise<void> {
    const site = this.lookup.cachedSitePromotions();
    if (site === undefined) {
      return this.lookup.sitePromotions().then((loaded) => this.apply(context, loaded));
    }
    this.apply(context, site);
  }

  private apply(context: AnnounceContext, site: PromotionWindows): void {
    const { user, torrent } = context;
    const own = user.promotions;
    const tokens = user.tokens;
    const onTorrent = torrent.promotions;
    if (site.length === 0 && !own && !tokens && !onTorrent) {
      return;
    }
    const now = this.clock.now();
    const scan = this.scan;
    scan.reset();
    scan.addAll(site, now);
    if (own) {
      scan.addAll(own, now);
    }
    if (onTorrent) {
      scan.addAll(onTorrent, now);
    }
    if (tokens) {
      scan.addTokens(tokens, torrent.infoHash, now);
    }
    if (scan.upload !== 1) {
      context.credit.uploadFactor *= scan.upload;
    }
    if (scan.download !== 1) {
      context.credit.downloadFactor *= scan.download;
    }
  }
}
