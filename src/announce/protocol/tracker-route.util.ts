import type { TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * `/<passkey>/announce`, `/<passkey>/scrape`, and the same without a passkey (a torrent made without it); null for
 * any other path. The passkey is percent-decoded, as a router would; undefined when it cannot be.
 */
export function trackerRoute(url: string): { action: TrackerAction; passkey: string | null | undefined } | null {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const action = path.endsWith('/announce') ? 'announce' : path.endsWith('/scrape') ? 'scrape' : null;
  if (!action || path.charCodeAt(0) !== 0x2f) {
    return null;
  }
  if (path.length === action.length + 1) {
    return { action, passkey: null };
  }
  const segment = path.slice(1, path.length - action.length - 1);
  if (segment.includes('/')) {
    return null;
  }
  return { action, passkey: segment.includes('%') ? decodeSegment(segment) : segment };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
