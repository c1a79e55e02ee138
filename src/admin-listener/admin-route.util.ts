/**
 * Which listener serves a route, by the route's pattern as Fastify matched it (`/api/users/:id`), never by the raw
 * URL: `/%61pi/users` reaches the same route, and must meet the same decision. Undefined: no route matched (404).
 */
export function isAdminRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/api' || route.startsWith('/api/') || route === '/metrics');
}

/** Probes answer on both listeners, so that an orchestrator on the private network can reach them there too. */
export function isProbeRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/health' || route.startsWith('/health/'));
}

/** The `route` label of tracker_admin_requests_total: the pattern, or `unmatched` for a path under /api with none. */
export function adminRequestLabel(route: string | undefined, url: string): string | undefined {
  if (route !== undefined) {
    return route === '/api' || route.startsWith('/api/') ? route : undefined;
  }
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?') ? 'unmatched' : undefined;
}
