import { redisErrorHint } from 'src/redis/redis-error-hint.util';

const error = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('Redis error hints', () => {
  it('stops at once on refused credentials, naming the password setting', () => {
    expect(redisErrorHint(error('NOAUTH HELLO must be called with the client already authenticated'))).toEqual({
      fatal: true,
      message: expect.stringMatching(/set REDIS_PASSWORD/) as string,
    });
    expect(redisErrorHint(error('WRONGPASS invalid username-password pair')).fatal).toBe(true);
  });

  it('names the sentinel password when a sentinel refused us', () => {
    const hint = redisErrorHint(error('All sentinels are unreachable. Last error: NOAUTH Authentication required.'));
    expect(hint).toMatchObject({ fatal: true, message: expect.stringMatching(/REDIS_SENTINEL_PASSWORD/) as string });
  });

  it('stops at once on an untrusted certificate, naming the CA file', () => {
    const hint = redisErrorHint(error('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'));
    expect(hint).toMatchObject({ fatal: true, message: expect.stringMatching(/REDIS_TLS_CA_FILE/) as string });
  });

  it("reads a Cluster node's own error behind the failed slot refresh", () => {
    const refresh = Object.assign(new Error('Failed to refresh slots cache.'), {
      lastNodeError: new Error('NOAUTH Authentication required.'),
    });
    expect(redisErrorHint(refresh)).toEqual({
      fatal: true,
      message: expect.stringMatching(/^Failed to refresh slots cache\. Redis refused the credentials/) as string,
    });
  });

  it('keeps waiting on errors that time can fix', () => {
    expect(redisErrorHint(error('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED')).fatal).toBe(false);
    expect(redisErrorHint(error('read ECONNRESET', 'ECONNRESET')).message).toMatch(/rediss:\/\//);
  });
});
