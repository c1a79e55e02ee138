/** The two server settings the Redis peer store's promise rests on, as CONFIG GET returns them. */
export interface RedisDurabilitySettings {
  maxmemoryPolicy: string;
  appendonly: string;
}

/**
 * Why a node's settings break "nothing acknowledged is lost" (README), one sentence each naming the setting;
 * none when both are as they should be.
 */
export function durabilityWarnings(node: string, settings: RedisDurabilitySettings): string[] {
  const warnings: string[] = [];
  if (settings.maxmemoryPolicy !== 'noeviction') {
    warnings.push(
      `Redis ${node}: maxmemory-policy is ${settings.maxmemoryPolicy}, so at maxmemory Redis evicts keys, among ` +
        'them live peers and pending accounting not yet written to PostgreSQL (credits lost). ' +
        'Set maxmemory-policy noeviction: a full Redis then refuses announces instead.',
    );
  }
  if (settings.appendonly !== 'yes') {
    warnings.push(
      `Redis ${node}: appendonly is ${settings.appendonly} (no AOF), so a Redis restart loses the swarms and the ` +
        'pending accounting not yet written to PostgreSQL, back to the last RDB snapshot if any. ' +
        'Set appendonly yes (appendfsync everysec loses at most a second on power loss).',
    );
  }
  return warnings;
}
