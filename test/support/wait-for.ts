export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by a probe to stop waiting at once: the awaited state can no longer come (e.g. a tracker failure). */
export class GiveUp extends Error {}

export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than `undefined`, bounded by `timeoutMs`. A probe that throws is
 * retried (the service may not be up yet), unless it throws GiveUp; the last error is put in the timeout message.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitForOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
      last = 'probe returned no value';
    } catch (error) {
      if (error instanceof GiveUp) {
        throw error;
      }
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description} (last: ${last})`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}
