import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from 'test/support/free-port';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { startPrometheus, type Prometheus } from 'test/support/prometheus';
import { exportedSeriesNames, trackerSeriesIn } from 'test/support/promql';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';
import { waitFor } from 'test/support/wait-for';

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '..', '..');
const RULES = join(REPO_ROOT, 'deploy', 'prometheus', 'tracker-rules.yml');
/** What the rules must watch (issue 17): flush lag and failures, readiness, refusals, backlog, Redis errors. */
const ALERTS = [
  'TrackerDown',
  'TrackerNotReady',
  'TrackerFlushLagging',
  'TrackerFlushFailing',
  'TrackerAccountsQuarantined',
  'TrackerPendingBacklogGrowing',
  'TrackerHighRefusalRatio',
  'TrackerRedisErrors',
  'TrackerRedisSlow',
];

interface RuleGroup {
  name: string;
  file: string;
  rules: Array<{ name: string; query: string; type: string; health: string; lastError?: string }>;
}

/**
 * The shipped alert rules, as Debian's Prometheus sees them: promtool accepts the file, and a real Prometheus that
 * scrapes a running tracker's admin listener loads it, evaluates every rule without error, and answers a query on
 * a tracker metric. `.ci/run` installs the `prometheus` package (which brings promtool).
 */
describe('Prometheus alert rules against a running tracker', () => {
  let workDir: string;
  let database: TempDatabase | undefined;
  let tracker: TrackerProcess | undefined;
  let prometheus: Prometheus | undefined;
  let adminPort: number;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'prometheus-'));
    database = await createTempDatabase('e2e');
    adminPort = await freePort();
    tracker = await startTracker({
      DATABASE_URL: database.url,
      ADMIN_TOKEN: 'x'.repeat(32),
      ADMIN_PORT: `${adminPort}`,
    });
    prometheus = await startPrometheus({ workDir, targets: [`127.0.0.1:${adminPort}`], ruleFiles: [RULES] });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop().catch(() => undefined);
    await tracker?.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (workDir) {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', RULES]);
    expect(stdout).toContain(`SUCCESS: ${ALERTS.length} rules found`);
  });

  it('are loaded and evaluated by Prometheus, each reading only series the tracker exports', async () => {
    const group = await waitFor(
      async () => {
        const { groups } = await prometheus!.api<{ groups: RuleGroup[] }>('/api/v1/rules');
        const tracker = groups.find((candidate) => candidate.name === 'tracker');
        // Health is "unknown" until a rule's first evaluation.
        return tracker?.rules.every((rule) => rule.health !== 'unknown') ? tracker : undefined;
      },
      { description: 'the tracker rules evaluated once', timeoutMs: 30_000 },
    );
    expect(group.file).toBe(RULES);
    expect(group.rules.map((rule) => rule.name)).toEqual(ALERTS);
    for (const rule of group.rules) {
      expect({ rule: rule.name, type: rule.type, health: rule.health, error: rule.lastError ?? '' }).toEqual({
        rule: rule.name,
        type: 'alerting',
        health: 'ok',
        error: '',
      });
    }

    const exported = exportedSeriesNames(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text());
    for (const rule of group.rules) {
      const series = trackerSeriesIn(rule.query);
      if (rule.name !== 'TrackerDown') {
        expect({ rule: rule.name, reads: series.length > 0 }).toEqual({ rule: rule.name, reads: true });
      }
      expect({ rule: rule.name, unknown: series.filter((name) => !exported.has(name)) }).toEqual({
        rule: rule.name,
        unknown: [],
      });
    }
  });

  it("answer a query on the tracker's metrics with what it exports", async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    type Vector = { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    const result = await waitFor(
      async () => {
        const data = await prometheus!.api<Vector>(`/api/v1/query?query=${encodeURIComponent('tracker_build_info')}`);
        return data.result.length > 0 ? data.result : undefined;
      },
      { description: 'tracker_build_info scraped', timeoutMs: 30_000 },
    );
    expect(result).toEqual([
      {
        metric: { __name__: 'tracker_build_info', instance: `127.0.0.1:${adminPort}`, job: 'tracker', version },
        value: [expect.any(Number), '1'],
      },
    ]);
  });
});
