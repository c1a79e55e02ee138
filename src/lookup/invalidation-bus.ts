import type { Invalidation } from 'src/lookup/lookup.types';

/** Carries cache invalidations to the other instances. The instance that writes applies its own at once. */
export abstract class InvalidationBus {
  abstract publish(invalidation: Invalidation): Promise<void>;
  /** `onMessage` also receives `{kind: 'all'}` after a reconnect, since messages may have been missed. */
  abstract subscribe(onMessage: (invalidation: Invalidation) => void): Promise<void>;
}

/** One instance (memory peer store): nobody else to tell. */
export class LocalInvalidationBus extends InvalidationBus {
  async publish(): Promise<void> {}
  async subscribe(): Promise<void> {}
}
