import 'reflect-metadata';
import { createTrackerApp, exitOnSignalsUntilListening } from 'src/bootstrap';

async function main(): Promise<void> {
  exitOnSignalsUntilListening();
  const tracker = await createTrackerApp();
  await tracker.listen();
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration): write plainly and exit non-zero.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
