import type { PeerStore } from 'src/peers/peer-store';
import type { PeerStoreRules } from 'src/peers/peer-store.types';
import { describeAccountingContract } from 'test/peers/contract/accounting.contract';
import { describeAdminViewsContract } from 'test/peers/contract/admin-views.contract';
import type { ContractContext } from 'test/peers/contract/contract-fixtures';
import { describeDownloadSlotsContract } from 'test/peers/contract/download-slots.contract';
import { describeDualStackContract } from 'test/peers/contract/dual-stack.contract';
import { describeLedgerContract } from 'test/peers/contract/ledger.contract';
import { describeObservedRulesContract } from 'test/peers/contract/observed-rules.contract';
import {
  describeCheatSignalsContract,
  describePacingContract,
  describeRulesContract,
} from 'test/peers/contract/rules.contract';
import { describeSwarmContract } from 'test/peers/contract/swarm.contract';

export interface PeerStoreContractOptions {
  /** The PEER_TTL the stores from `create` were built with; default 2700 (the config default). */
  peerTtlSeconds?: number;
}

/**
 * The behaviour every PeerStore must have (CONTRACT §2-§5). Each test gets a fresh, EMPTY store from `create`
 * (its totals and its ledger are asserted exactly) and calls `cleanup` after. Time is driven by the `now` of each
 * call, starting from the real clock, so a store must never read the clock itself.
 */
export function describePeerStoreContract(
  name: string,
  create: (rules?: Partial<PeerStoreRules>) => Promise<{ store: PeerStore; cleanup: () => Promise<void> }>,
  options: PeerStoreContractOptions = {},
): void {
  describe(`PeerStore contract: ${name}`, () => {
    let current: { store: PeerStore; cleanup: () => Promise<void> } | undefined;
    let t0 = 0;
    const ctx: ContractContext = {
      get store(): PeerStore {
        if (!current) {
          throw new Error('the store is only available inside a test');
        }
        return current.store;
      },
      ttlMs: (options.peerTtlSeconds ?? 2700) * 1000,
      get t0(): number {
        return t0;
      },
      async withRules(rules) {
        const made = await create(rules);
        extra.push(made);
        return made.store;
      },
    };
    /** Stores a test built with rules of its own, cleaned up after it. */
    const extra: { cleanup: () => Promise<void> }[] = [];

    beforeEach(async () => {
      current = await create();
      t0 = Date.now();
    });

    afterEach(async () => {
      const done = current;
      current = undefined;
      await done?.cleanup();
      await Promise.all(extra.splice(0).map((made) => made.cleanup()));
    });

    describeSwarmContract(ctx);
    describeAccountingContract(ctx);
    describeLedgerContract(ctx);
    describeAdminViewsContract(ctx);
    describeRulesContract(ctx);
    describePacingContract(ctx);
    describeCheatSignalsContract(ctx);
    describeDownloadSlotsContract(ctx);
    describeObservedRulesContract(ctx);
    describeDualStackContract(ctx);
  });
}
