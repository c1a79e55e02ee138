/** Where PostgreSQL is: the configured server, or the embedded one this process started. */
export abstract class DatabaseEndpoint {
  abstract readonly url: string;
  /** True when this process owns the database (embedded): it must stop it after the last query. */
  abstract readonly embedded: boolean;
  abstract stop(): Promise<void>;
}
