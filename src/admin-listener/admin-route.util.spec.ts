import { adminRequestLabel, isAdminRoute, isProbeRoute } from 'src/admin-listener/admin-route.util';

describe('the routes of the admin listener', () => {
  it('are the admin API, its docs and the metrics', () => {
    for (const route of ['/api/users', '/api/users/:id', '/api/docs', '/api/docs/*', '/api/docs-json', '/metrics']) {
      expect(isAdminRoute(route)).toBe(true);
    }
  });

  it('are not the health probes, a look-alike path or an unmatched request', () => {
    for (const route of ['/health', '/health/ready', '/apis', '/metrics2', '/:passkey/announce', undefined]) {
      expect(isAdminRoute(route)).toBe(false);
    }
    expect(isProbeRoute('/health')).toBe(true);
    expect(isProbeRoute('/health/live')).toBe(true);
    expect(isProbeRoute('/healthz')).toBe(false);
  });

  it('label admin requests by route pattern, and unmatched ones under /api as unmatched', () => {
    expect(adminRequestLabel('/api/users/:id', '/api/users/7')).toBe('/api/users/:id');
    expect(adminRequestLabel(undefined, '/api/nope/7')).toBe('unmatched');
    expect(adminRequestLabel('/metrics', '/metrics')).toBeUndefined();
    expect(adminRequestLabel(undefined, '/favicon.ico')).toBeUndefined();
  });
});
