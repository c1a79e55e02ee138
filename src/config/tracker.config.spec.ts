import { loadTrackerConfig } from 'src/config/tracker.config';

describe('tracker configuration', () => {
  it('uses the contract defaults with an empty environment', () => {
    const config = loadTrackerConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 6969,
      dataDir: './data',
      peerStore: 'memory',
      announceInterval: 1800,
      minInterval: 900,
      peerTtl: 2700,
      numwantDefault: 50,
      numwantMax: 100,
      flushIntervalMs: 3000,
      globalFreeleech: false,
      trustProxy: false,
      http: { maxConnections: 10000, requestTimeoutMs: 30000, headersTimeoutMs: 20000 },
      clients: { userAgentCheck: false },
    });
    expect(loadTrackerConfig({ CLIENT_USER_AGENT_CHECK: 'on' }).clients.userAgentCheck).toBe(true);
    expect(config.adminTokens).toEqual([]);
    expect(config.adminListener).toBeNull();
    expect(config.databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between/],
    ['GLOBAL_FREELEECH', 'maybe', /GLOBAL_FREELEECH must be true or false/],
    ['ANNOUNCE_PACING', 'harsh', /ANNOUNCE_PACING must be one of/],
    ['MAX_PEERS_PER_USER_TORRENT', '-1', /MAX_PEERS_PER_USER_TORRENT must be between/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must start with postgres/],
    ['REDIS_URL', 'not a url', /REDIS_URL must be a URL/],
    ['REDIS_CLUSTER_NODES', 'a:b', /REDIS_CLUSTER_NODES must be a comma-separated list/],
    ['MIN_INTERVAL', '5000', /MIN_INTERVAL must not exceed ANNOUNCE_INTERVAL/],
    ['NUMWANT_DEFAULT', '500', /NUMWANT_DEFAULT must not exceed NUMWANT_MAX/],
    ['MAX_CONNECTIONS', '0', /MAX_CONNECTIONS must be between/],
    ['HEADERS_TIMEOUT_MS', '40000', /HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS/],
    ['ADMIN_HOST', '127.0.0.1', /ADMIN_HOST needs ADMIN_PORT/],
    ['ADMIN_PORT', '6969', /ADMIN_PORT must differ from PORT/],
    ['ADMIN_PORT', '0', /ADMIN_PORT must be between 1 and 65535/],
    ['CLIENT_USER_AGENT_CHECK', 'yes', /CLIENT_USER_AGENT_CHECK must be one of off, on/],
    ['UDP_PORT', '70000', /UDP_PORT must be between/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadTrackerConfig({ [name]: value })).toThrow(message);
  });

  it('prefers a Redis Cluster over a single Redis', () => {
    const config = loadTrackerConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,[::1]:7001',
    });
    expect(config.peerStore).toBe('redis-cluster');
    expect(config.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
    ]);
  });

  it('reads POLICY_MODES as a mode per policy name, and names the variable on a bad entry', () => {
    const modes = loadTrackerConfig({ POLICY_MODES: 'ClientWhitelistPolicy:observe, LeechPermissionPolicy:enforce' });
    expect([...modes.policyModes]).toEqual([
      ['ClientWhitelistPolicy', 'observe'],
      ['LeechPermissionPolicy', 'enforce'],
    ]);
    expect(loadTrackerConfig({}).policyModes.size).toBe(0);
    expect(() => loadTrackerConfig({ POLICY_MODES: 'ClientWhitelistPolicy:dry' })).toThrow(/POLICY_MODES must be/);
    expect(() => loadTrackerConfig({ POLICY_MODES: 'A:observe,A:enforce' })).toThrow(/POLICY_MODES names A twice/);
  });

  it('never puts a database password in an error', () => {
    expect(() => loadTrackerConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/u:\*\*\*@/);
  });

  it('reads TRUST_PROXY as a flag or as a list of addresses', () => {
    expect(loadTrackerConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadTrackerConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });

  it('splits ADMIN_TOKEN into the tokens accepted during a rotation', () => {
    expect(loadTrackerConfig({ ADMIN_TOKEN: 'new-token' }).adminTokens).toEqual(['new-token']);
    expect(loadTrackerConfig({ ADMIN_TOKEN: ' new-token , old-token ' }).adminTokens).toEqual([
      'new-token',
      'old-token',
    ]);
  });

  it('rejects an empty token in ADMIN_TOKEN without printing the tokens', () => {
    const load = () => loadTrackerConfig({ ADMIN_TOKEN: 'secret-one,,secret-two' });
    expect(load).toThrow(/ADMIN_TOKEN must be tokens/);
    expect(load).not.toThrow(/secret/);
  });

  it('puts the admin listener on loopback unless ADMIN_HOST says otherwise', () => {
    expect(loadTrackerConfig({ ADMIN_PORT: '9090' }).adminListener).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(loadTrackerConfig({ ADMIN_PORT: '9090', ADMIN_HOST: '10.0.0.5' }).adminListener).toEqual({
      host: '10.0.0.5',
      port: 9090,
    });
  });

  it('turns UDP on with UDP_PORT, with its abuse limits defaulted, and keeps UDP_SECRET out of errors', () => {
    expect(loadTrackerConfig({}).udp).toBeNull();
    expect(loadTrackerConfig({ UDP_PORT: '6969' }).udp).toEqual({
      port: 6969,
      secret: undefined,
      rateLimit: 500,
      rateWindowMs: 10_000,
    });
    const load = () => loadTrackerConfig({ UDP_PORT: '6969', UDP_SECRET: 'short-secret' });
    expect(load).toThrow(/UDP_SECRET must be at least 16 characters/);
    expect(load).not.toThrow(/short-secret/);
  });
});
