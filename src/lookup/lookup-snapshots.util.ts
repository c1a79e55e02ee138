import { promotionTokens, promotionWindows } from 'src/lookup/promotion-windows';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
import type { PromotionWindowRow } from 'src/storage/repositories/promotions.repository';

/** The rows of each key (passkey or info hash). */
export function groupByKey(rows: PromotionWindowRow[]): Map<string, PromotionWindowRow[]> {
  const groups = new Map<string, PromotionWindowRow[]>();
  for (const row of rows) {
    const group = groups.get(row.key);
    if (group) {
      group.push(row);
    } else {
      groups.set(row.key, [row]);
    }
  }
  return groups;
}

/**
 * `promotions`: the user's rows, user-wide ones (no info hash) and tokens mixed, read while its promotion stamp was
 * `stamp` (PromotionsRepository.stampsForPasskeys; 0: none).
 */
export function toUserSnapshot(user: UserSnapshot, promotions: PromotionWindowRow[] = [], stamp = 0): UserSnapshot {
  const own = promotions.filter((row) => row.infoHash === null);
  return {
    id: user.id,
    enabled: user.enabled,
    canLeech: user.canLeech,
    uploadMultiplier: user.uploadMultiplier,
    downloadMultiplier: user.downloadMultiplier,
    downloadSlots: user.downloadSlots,
    promotions: own.length === 0 ? null : promotionWindows(own),
    tokens:
      own.length === promotions.length ? null : promotionTokens(promotions.filter((row) => row.infoHash !== null)),
    promotionsStamp: stamp,
    promotionsUntil: earliestEnd(promotions),
  };
}

function earliestEnd(promotions: PromotionWindowRow[]): number | null {
  let earliest: number | null = null;
  for (const { endsAt } of promotions) {
    if (endsAt !== null && (earliest === null || endsAt < earliest)) {
      earliest = endsAt;
    }
  }
  return earliest;
}

/** A reloaded user that keeps the promotions of its previous snapshot (their stamp has not changed). */
export function withPromotionsOf(user: UserSnapshot, previous: UserSnapshot): UserSnapshot {
  return {
    ...toUserSnapshot(user),
    promotions: previous.promotions,
    tokens: previous.tokens,
    promotionsStamp: previous.promotionsStamp,
    promotionsUntil: previous.promotionsUntil,
  };
}

export function toTorrentSnapshot(torrent: TorrentSnapshot, promotions: PromotionWindowRow[] = []): TorrentSnapshot {
  return {
    infoHash: torrent.infoHash,
    deleted: torrent.deleted,
    freeleech: torrent.freeleech,
    uploadMultiplier: torrent.uploadMultiplier,
    downloadMultiplier: torrent.downloadMultiplier,
    completed: torrent.completed,
    promotions: promotions.length === 0 ? null : promotionWindows(promotions),
  };
}
