import { TrackerMetrics } from 'src/metrics/tracker-metrics';

describe('tracker metrics', () => {
  let metrics: TrackerMetrics;

  beforeEach(() => {
    metrics = new TrackerMetrics();
  });

  afterEach(() => {
    metrics.onModuleDestroy();
  });

  it("carry the package's version in tracker_build_info", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require('../../package.json') as { version: string };
    expect(await metrics.registry.metrics()).toContain(`tracker_build_info{version="${version}"} 1`);
  });

  it('print no backlog sample until the accounting side hands over its reading, then that reading', async () => {
    const before = await metrics.registry.metrics();
    expect(before).toContain('# TYPE tracker_pending_accounts gauge');
    expect(before).not.toMatch(/^tracker_pending_accounts /m);

    metrics.pendingBacklog(() => Promise.resolve({ accounts: 12, bytes: 3_000_000_000, estimated: false }));
    const after = await metrics.registry.metrics();
    expect(after).toMatch(/^tracker_pending_accounts 12$/m);
    expect(after).toMatch(/^tracker_pending_bytes 3000000000$/m);
  });

  it('print tracker_ready once the health side hands over its readiness', async () => {
    expect(await metrics.registry.metrics()).not.toMatch(/^tracker_ready /m);
    let ready = true;
    metrics.readiness(() => Promise.resolve(ready));
    expect(await metrics.registry.metrics()).toMatch(/^tracker_ready 1$/m);
    ready = false;
    expect(await metrics.registry.metrics()).toMatch(/^tracker_ready 0$/m);
  });
});
