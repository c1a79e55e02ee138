export async function createTrackerApp(): Promise<{ listenFromConfig(): Promise<void> }> {
  await Promise.resolve();
  throw new Error('not yet');
}
