import { Cluster, type Redis } from 'ioredis';

/**
 * SCANs every key matching `pattern` (on every master of a Cluster), handing them over page by page.
 * Off the hot path only: it walks the whole keyspace.
 */
export async function scanKeys(
  client: Redis | Cluster,
  pattern: string,
  handle: (keys: string[]) => Promise<void>,
): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await handle(keys);
      }
    } while (cursor !== '0');
  }
}

/** Runs `task` over `items` with at most `width` calls in flight, so that huge admin reads stay bounded. */
export async function inChunks<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    out.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  }
  return out;
}
