import { registerAs, type ConfigType } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { InvalidConfigError, readBoolean, readEnum, readInt, readString, readUrl } from 'src/config/env-parsers.util';
import { loadRedisConfig } from 'src/config/redis.config';
import { DEFAULT_MAX_TRANSFER_RATE } from 'src/peers/peer-accounting.util';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;
const ANNOUNCE_PACINGS = ['off', 'lenient', 'strict'] as const;
const CHEAT_POLICIES = ['off', 'observe', 'withhold'] as const;

export type PeerStoreKind = 'memory' | 'redis' | 'redis-cluster';

/**
 * Every setting of the tracker, validated once at boot (CONTRACT §1). Nothing else reads process.env.
 * A bad value throws an error naming the variable, which stops startup.
 */
export function loadTrackerConfig(env: Record<string, string | undefined>) {
  const announceInterval = readInt(env, 'ANNOUNCE_INTERVAL', 1800, 1, 86400);
  const minInterval = readInt(env, 'MIN_INTERVAL', 900, 1, 86400);
  if (minInterval > announceInterval) {
    throw new InvalidConfigError(
      'MIN_INTERVAL',
      `must not exceed ANNOUNCE_INTERVAL (${announceInterval})`,
      `${minInterval}`,
    );
  }
  const numwantMax = readInt(env, 'NUMWANT_MAX', 100, 1, 1000);
  const numwantDefault = readInt(env, 'NUMWANT_DEFAULT', 50, 0, 1000);
  if (numwantDefault > numwantMax) {
    throw new InvalidConfigError('NUMWANT_DEFAULT', `must not exceed NUMWANT_MAX (${numwantMax})`, `${numwantDefault}`);
  }

  const requestTimeoutMs = readInt(env, 'REQUEST_TIMEOUT_MS', 30000, 1000, 3600000);
  const headersTimeoutMs = readInt(env, 'HEADERS_TIMEOUT_MS', 20000, 1000, 3600000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new InvalidConfigError(
      'HEADERS_TIMEOUT_MS',
      `must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
      `${headersTimeoutMs}`,
    );
  }

  const redis = loadRedisConfig(env);
  // Sentinel hands out one master at a time: to the store, it is a single Redis.
  const peerStore: PeerStoreKind =
    redis.topology === 'cluster' ? 'redis-cluster' : redis.topology === 'none' ? 'memory' : 'redis';
  const production = env.NODE_ENV === 'production';
  const port = readInt(env, 'PORT', 6969, 0, 65535);

  return {
    host: readString(env, 'HOST') ?? '0.0.0.0',
    port,
    http: {
      /** Open connections at most; more are closed at once (logged, and counted in the metrics). */
      maxConnections: readInt(env, 'MAX_CONNECTIONS', 10000, 1, 1000000),
      /** A request (head and body) still arriving after this long is answered 408 or closed. */
      requestTimeoutMs,
      /** A request head still arriving after this long is answered 408 or closed. */
      headersTimeoutMs,
    },
    /** The BEP 15 UDP listener on HOST; null when UDP_PORT is unset. */
    udp: readUdp(env),
    /** Every accepted bearer token of /api (several while one is being rotated); empty: none configured. */
    adminTokens: readAdminTokens(env),
    /** The private listener of /api, /api/docs and /metrics; null: they share HOST:PORT. */
    adminListener: readAdminListener(env, port),
    databaseUrl: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: readString(env, 'DATA_DIR') ?? './data',
    peerStore,
    redis,
    announceInterval,
    minInterval,
    peerTtl: readInt(env, 'PEER_TTL', 2700, 10, 86400 * 7),
    numwantDefault,
    numwantMax,
    flushIntervalMs: readInt(env, 'FLUSH_INTERVAL_MS', 3000, 50, 600000),
    /** Bytes per second one peer can plausibly move; a larger delta since its previous announce is cut to it. */
    maxTransferRate: readInt(env, 'MAX_TRANSFER_RATE', DEFAULT_MAX_TRANSFER_RATE, 1_000_000, 1_000_000_000_000),
    globalFreeleech: readBoolean(env, 'GLOBAL_FREELEECH', false),
    /** Peers (peer ids) one user may have in one swarm at once; 0: no limit. */
    maxPeersPerUserTorrent: readInt(env, 'MAX_PEERS_PER_USER_TORRENT', 0, 0, 1000),
    /** What a regular announce sooner than MIN_INTERVAL after the peer's previous one gets (README: pacing). */
    announcePacing: readEnum(env, 'ANNOUNCE_PACING', ANNOUNCE_PACINGS, 'off'),
    /** Cheat signals: off, observe (flags only) or withhold (a flagged announce credits nothing). */
    cheatPolicy: readEnum(env, 'CHEAT_POLICY', CHEAT_POLICIES, 'observe'),
    /** Bytes a second of upload since a peer's previous announce above which it is flagged; 0: never. */
    maxUploadRate: readInt(env, 'MAX_UPLOAD_RATE', 125_000_000, 0, 1_000_000_000_000),
    trustProxy: readTrustProxy(env),
    /**
     * Per address (an IPv6 one by its /64): announces and scrapes with unknown passkeys or info hashes allowed per
     * window (0: no limit); one more bans the address for banMs, on every instance sharing the Redis.
     */
    failedLookups: {
      maxFailures: readInt(env, 'FAILED_LOOKUP_LIMIT', 50, 0, 1_000_000),
      windowMs: readInt(env, 'FAILED_LOOKUP_WINDOW', 60, 1, 86400) * 1000,
      banMs: readInt(env, 'ABUSE_BAN_SECONDS', 600, 1, 86400 * 30) * 1000,
    },
    /** `POLICY_MODES=Name:observe,…`: announce policies that only count what they would refuse. */
    policyModes: readPolicyModes(env),
    /** Each user's last announces, for staff (GET /api/users/:id/announces); size 0 keeps none. */
    announceLog: {
      size: readInt(env, 'ANNOUNCE_LOG_SIZE', 50, 0, 1000),
      ttlMs: readInt(env, 'ANNOUNCE_LOG_TTL_HOURS', 24, 1, 24 * 90) * 3600 * 1000,
    },
    lookupCache: {
      ttlMs: readInt(env, 'LOOKUP_CACHE_TTL_MS', 60000, 0, 86400000),
      maxEntries: readInt(env, 'LOOKUP_CACHE_MAX_ENTRIES', 200000, 100, 10000000),
      /** Unknown passkeys and info hashes remembered, apart from the known ones (each cache). */
      maxMissingEntries: readInt(env, 'LOOKUP_MISSING_CACHE_MAX_ENTRIES', 100000, 100, 10000000),
    },
    /** How far back a change-feed cursor is honoured (GET /api/changes); older cursors answer 410. */
    changeFeedRetentionMs: readInt(env, 'CHANGE_FEED_RETENTION_HOURS', 168, 1, 24 * 365) * 3600 * 1000,
    clients: {
      /** Refuse an announce whose peer_id names one client family and its User-Agent another (src/clients/). */
      userAgentCheck: readEnum(env, 'CLIENT_USER_AGENT_CHECK', ['off', 'on'], 'off') === 'on',
    },
    metricsEnabled: readBoolean(env, 'METRICS_ENABLED', true),
    log: {
      level: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
      format: readEnum(env, 'LOG_FORMAT', LOG_FORMATS, production ? 'json' : 'pretty'),
    },
  };
}

export type PolicyMode = 'enforce' | 'observe';

/**
 * `POLICY_MODES=ClientWhitelistPolicy:observe,LeechPermissionPolicy:enforce`: a mode per policy name. The names are
 * checked against the policies found at boot (AnnouncePolicyPipeline), which stops startup on an unknown one.
 */
function readPolicyModes(env: Record<string, string | undefined>): ReadonlyMap<string, PolicyMode> {
  const raw = readString(env, 'POLICY_MODES');
  const modes = new Map<string, PolicyMode>();
  for (const entry of raw === undefined ? [] : raw.split(',')) {
    const match = /^\s*([A-Za-z_$][\w$]*)\s*:\s*(enforce|observe)\s*$/.exec(entry);
    if (!match) {
      throw new InvalidConfigError('POLICY_MODES', 'must be Name:enforce or Name:observe, separated by commas', raw!);
    }
    if (modes.has(match[1])) {
      throw new InvalidConfigError('POLICY_MODES', `names ${match[1]} twice`, raw!);
    }
    modes.set(match[1], match[2] as PolicyMode);
  }
  return modes;
}

/** UDP_PORT turns the UDP transport on; the other UDP_ settings apply only then. */
function readUdp(env: Record<string, string | undefined>) {
  if (readString(env, 'UDP_PORT') === undefined) {
    return null;
  }
  const secret = readString(env, 'UDP_SECRET');
  if (secret !== undefined && secret.length < 16) {
    // Never echo the value: it is a secret.
    throw new InvalidConfigError('UDP_SECRET', 'must be at least 16 characters', '***');
  }
  return {
    port: readInt(env, 'UDP_PORT', 0, 0, 65535),
    /** The connection IDs' HMAC key, shared by every instance; undefined: derived or generated at startup. */
    secret,
    /** Packets one address may send per window (0: no limit); the first one past it is answered with an error. */
    rateLimit: readInt(env, 'UDP_RATE_LIMIT', 500, 0, 1_000_000),
    rateWindowMs: readInt(env, 'UDP_RATE_WINDOW', 10, 1, 3600) * 1000,
  };
}

/** `true`/`false`, or a comma-separated list of proxy addresses or CIDRs to trust. */
function readTrustProxy(env: Record<string, string | undefined>): boolean | string[] {
  const raw = readString(env, 'TRUST_PROXY');
  if (raw === undefined || /^(true|false|1|0|yes|no)$/i.test(raw)) {
    return readBoolean(env, 'TRUST_PROXY', false);
  }
  return raw.split(',').map((address) => address.trim());
}

/** `ADMIN_TOKEN=new,old`: both are accepted while the site switches to the new one. */
function readAdminTokens(env: Record<string, string | undefined>): string[] {
  const raw = readString(env, 'ADMIN_TOKEN');
  if (raw === undefined) {
    return [];
  }
  const tokens = raw.split(',').map((token) => token.trim());
  if (tokens.some((token) => token === '' || /\s/.test(token))) {
    // Never echo the value: it is a secret.
    throw new InvalidConfigError(
      'ADMIN_TOKEN',
      'must be tokens separated by commas, without spaces or empty ones',
      '***',
    );
  }
  return tokens;
}

/** ADMIN_PORT turns the split on; ADMIN_HOST alone is a mistake worth stopping for. */
function readAdminListener(
  env: Record<string, string | undefined>,
  port: number,
): { host: string; port: number } | null {
  const host = readString(env, 'ADMIN_HOST');
  const adminPort = readString(env, 'ADMIN_PORT');
  if (adminPort === undefined) {
    if (host !== undefined) {
      throw new InvalidConfigError('ADMIN_HOST', 'needs ADMIN_PORT as well', host);
    }
    return null;
  }
  const parsed = readInt(env, 'ADMIN_PORT', 0, 1, 65535);
  if (parsed === port) {
    throw new InvalidConfigError('ADMIN_PORT', `must differ from PORT (${port})`, adminPort);
  }
  return { host: host ?? '127.0.0.1', port: parsed };
}

export type TrackerConfig = ReturnType<typeof loadTrackerConfig>;

/** The `tracker` config namespace, read from the process environment (and .env). */
export const trackerConfig = registerAs('tracker', () => loadTrackerConfig(process.env));

/** The same namespace built from an explicit environment; tests use it to run several configurations. */
export function trackerConfigFrom(env: Record<string, string | undefined>) {
  return registerAs('tracker', () => loadTrackerConfig(env));
}

export type TrackerConfigType = ConfigType<typeof trackerConfig>;
/** Injection token: `@Inject(TRACKER_CONFIG) config: TrackerConfig`. */
export const TRACKER_CONFIG = trackerConfig.KEY;

/**
 * The process environment, after loading `.env` (if present) without overriding what is already set.
 * For code that needs the configuration before Nest exists: bootstrap and the migration CLI.
 */
export function loadTrackerConfigFromProcess(): TrackerConfig {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  return loadTrackerConfig(process.env);
}
