import { parse } from 'node:querystring';

/**
 * Fastify's query-string parser, for every route. Announce and scrape queries (they carry info_hash) are decoded
 * byte by byte from the raw URL by HttpTrackerAdapter, so the generic parser would only waste time on them and
 * mangle their binary values; every other query is parsed as usual.
 */
export function parseQueryString(query: string): Record<string, unknown> {
  return query.includes('info_hash=') ? {} : parse(query);
}
