import type { TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * `/<passkey>/announce`, `/<passkey>/scrape`, and the same without a passkey (a torrent made without it); null for
 * any other path. The passkey is percent-decoded, as a router would; undefined when it cannot be.
 */
export function trackerRoute(url: string): { action: TrackerAction; passkey: string | null | undefined } | null {
  const queryAt = url.indexOf('?');
  const target = queryAt === -1 ? url : url.slice(0, queryAt);
  const path = target.charCodeAt(0) === 0x2f ? target : pathOfAbsoluteForm(target);
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

/**
 * `http://host/pk/announce` → `/pk/announce` (RFC 9112 §3.2.2: a server accepts the absolute form of a target as its
 * path); anything else is returned as is, which is no tracker path.
 */
function pathOfAbsoluteForm(target: string): string {
  const scheme = /^https?:\/\/[^/]*/i.exec(target);
  return scheme ? target.slice(scheme[0].length) : target;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
