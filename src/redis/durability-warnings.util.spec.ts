import { durabilityWarnings } from 'src/redis/durability-warnings.util';

describe('Redis durability warnings', () => {
  it('says nothing with noeviction and AOF', () => {
    expect(durabilityWarnings('h:1', { maxmemoryPolicy: 'noeviction', appendonly: 'yes' })).toEqual([]);
  });

  it('names each setting that can lose acknowledged accounting, and its fix', () => {
    const warnings = durabilityWarnings('h:1', { maxmemoryPolicy: 'allkeys-lru', appendonly: 'no' });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Redis h:1: maxmemory-policy is allkeys-lru.*Set maxmemory-policy noeviction/);
    expect(warnings[1]).toMatch(/^Redis h:1: appendonly is no .*Set appendonly yes/);
  });
});
