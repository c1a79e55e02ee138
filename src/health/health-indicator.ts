/** What a failing indicator means for `GET /health/ready`. */
export type WhenDown =
  /** Announces cannot be served: 503, the orchestrator takes the instance out of rotation. */
  | 'unready'
  /** Announces are still served (from caches, or with delayed writes): 200 with `status: "degraded"`. */
  | 'degraded';

/**
 * One readiness check. Any module adds one by providing a class that extends this: the health module finds every
 * provider that is a HealthIndicator at boot (DiscoveryService), so there is no central list to edit.
 */
export abstract class HealthIndicator {
  /** Named in the answer when down, e.g. `database`. */
  abstract readonly name: string;
  abstract readonly whenDown: WhenDown;
  /** The database and the peer store: the dependencies `GET /health` reports on (CONTRACT §6). */
  readonly core: boolean = false;
  /** Resolves when healthy; throws (or takes longer than the probe timeout) when not. */
  abstract check(): Promise<void>;
}
