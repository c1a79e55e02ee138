/** TLS verification failures, as Node's tls module codes them: retrying cannot fix them. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

export interface RedisErrorHint {
  /** True when waiting cannot help (wrong credentials, untrusted certificate): startup stops at once. */
  fatal: boolean;
  /** The error, and which setting to look at. */
  message: string;
}

/** Turns an ioredis connection error into what an operator should change. */
export function redisErrorHint(error: Error & { code?: string; lastNodeError?: Error }): RedisErrorHint {
  // A Cluster that could not load its slots says only that; the node's own error says why.
  if (error.lastNodeError) {
    const hint = redisErrorHint(error.lastNodeError);
    return { fatal: hint.fatal, message: `${error.message} ${hint.message}` };
  }
  const text = error.message;
  if (/NOAUTH|WRONGPASS|invalid password|Authentication required/i.test(text)) {
    const setting = /sentinel/i.test(text)
      ? "REDIS_SENTINEL_PASSWORD (the sentinels' requirepass)"
      : 'REDIS_PASSWORD (and REDIS_USERNAME for an ACL user), or the password in REDIS_URL';
    return { fatal: true, message: `Redis refused the credentials (${text}): set ${setting}` };
  }
  if (/NOPERM/.test(text)) {
    return {
      fatal: true,
      message: `the Redis user may not run what the tracker needs (${text}): grant REDIS_USERNAME +@all on its keys`,
    };
  }
  if ((error.code !== undefined && TLS_CODES.has(error.code)) || /certificate|ssl routines/i.test(text)) {
    return {
      fatal: true,
      message: `TLS to Redis failed (${text}): set REDIS_TLS_CA_FILE to the CA that signed the server's certificate`,
    };
  }
  if (/invalid reply: null/.test(text)) {
    return { fatal: false, message: `${text}: the sentinels know no master by that name; check REDIS_SENTINEL_NAME` };
  }
  if (error.code === 'ECONNRESET') {
    return { fatal: false, message: `${text}: if that port speaks TLS, use rediss:// (or REDIS_TLS=true)` };
  }
  return { fatal: false, message: text };
}
