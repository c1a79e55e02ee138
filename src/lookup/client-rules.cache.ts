import { ClientBlockList } from 'src/clients/client-block-list';
import { BatchedRefresh } from 'src/lookup/batched-refresh';
import type { ClientBlocksRepository } from 'src/storage/repositories/client-blocks.repository';
import type { ClientsRepository } from 'src/storage/repositories/clients.repository';

/**
 * The client whitelist and block list, each loaded whole and kept for LookupService (which drops them on an admin
 * write's `{kind: 'clients'}` invalidation, on every instance). Past `ttlMs`, a list keeps answering while it is
 * reloaded in the background; `ttlMs` 0 caches nothing.
 */
export class ClientRulesCache {
  private whitelisted: { prefixes: Buffer[]; loadedAt: number } | null = null;
  private blocks: { list: ClientBlockList; loadedAt: number } | null = null;
  /** Bumped by forget(): a load that started before must not store what it read. */
  private generation = 0;
  private readonly refreshAllowed = new BatchedRefresh('client whitelist', () => this.reloadAllowed());
  private readonly refreshBlocks = new BatchedRefresh('client block list', () => this.reloadBlocks());

  constructor(
    private readonly ttlMs: number,
    private readonly whitelist: ClientsRepository,
    private readonly blockList: ClientBlocksRepository,
  ) {}

  forget(): void {
    this.generation++;
    this.whitelisted = null;
    this.blocks = null;
  }

  /** Whether the whitelist allows the peer_id; undefined when it is not cached (then call allowed()). */
  cachedAllowed(peerId: Buffer, now: number): boolean | undefined {
    if (!this.whitelisted || this.ttlMs === 0) {
      return undefined;
    }
    if (now - this.whitelisted.loadedAt >= this.ttlMs) {
      this.refreshAllowed.request('whitelist');
    }
    return matchesAnyPrefix(peerId, this.whitelisted.prefixes);
  }

  async allowed(peerId: Buffer): Promise<boolean> {
    return this.cachedAllowed(peerId, Date.now()) ?? matchesAnyPrefix(peerId, await this.reloadAllowed());
  }

  /**
   * The refusal sentence of the block-list entry that blocks the peer_id, null when none does; undefined when the
   * list is not cached (then call blocked()).
   */
  cachedBlocked(peerId: Buffer, now: number): string | null | undefined {
    if (!this.blocks || this.ttlMs === 0) {
      return undefined;
    }
    if (now - this.blocks.loadedAt >= this.ttlMs) {
      this.refreshBlocks.request('block list');
    }
    return this.blocks.list.blocked(peerId);
  }

  async blocked(peerId: Buffer): Promise<string | null> {
    const cached = this.cachedBlocked(peerId, Date.now());
    return cached !== undefined ? cached : (await this.reloadBlocks()).blocked(peerId);
  }

  private async reloadAllowed(): Promise<Buffer[]> {
    const generation = this.generation;
    const loadedAt = Date.now();
    const prefixes = (await this.whitelist.list()).map((rule) => Buffer.from(rule.prefix, 'latin1'));
    if (generation === this.generation) {
      this.whitelisted = { prefixes, loadedAt };
    }
    return prefixes;
  }

  private async reloadBlocks(): Promise<ClientBlockList> {
    const generation = this.generation;
    const loadedAt = Date.now();
    const rules = await this.blockList.list();
    const list = rules.length === 0 ? ClientBlockList.EMPTY : new ClientBlockList(rules);
    if (generation === this.generation) {
      this.blocks = { list, loadedAt };
    }
    return list;
  }
}

/** An empty whitelist allows every client; otherwise the peer_id must start with a listed prefix. */
function matchesAnyPrefix(peerId: Buffer, prefixes: Buffer[]): boolean {
  if (prefixes.length === 0) {
    return true;
  }
  return prefixes.some((prefix) => peerId.subarray(0, prefix.length).equals(prefix));
}
