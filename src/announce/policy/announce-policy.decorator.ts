import { SetMetadata } from '@nestjs/common';
import type { PolicyMode } from 'src/config/tracker.config';

/** The metadata key AnnouncePolicyPipeline looks for on every provider's class. */
export const ANNOUNCE_POLICY = 'tracker:announce-policy';

export interface AnnouncePolicyOptions {
  /** Lower runs first; equal orders run by class name. The built-in steps' orders are in AnnouncePolicyOrder. */
  order: number;
  /**
   * `observe`: a refusal is only counted (tracker_policy_would_refuse_total{policy}) and the announce goes on, so
   * staff can try a rule before enforcing it. Default `enforce`; POLICY_MODES overrides it by class name.
   */
  mode?: PolicyMode;
}

/**
 * Marks a provider as a step of the announce policy pipeline (it must implement AnnouncePolicyStep). Any module may
 * declare one; AnnouncePolicyPipeline finds it at boot through DiscoveryService, as @nestjs/cqrs finds its handlers.
 */
export const AnnouncePolicy = (options: AnnouncePolicyOptions): ClassDecorator => SetMetadata(ANNOUNCE_POLICY, options);

/** The built-in steps' orders, spaced so a module can put a step between them. */
export const AnnouncePolicyOrder = {
  LeechPermission: 100,
  ClientWhitelist: 200,
  /** src/clients/: the block list, then the User-Agent consistency check. */
  ClientBlockList: 210,
  ClientUserAgent: 220,
  /** After every refusal: only announces that will be answered have their credit changed. */
  Promotions: 300,
} as const;
