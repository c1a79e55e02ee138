import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportedSeriesNames, trackerSeriesIn } from 'test/support/promql';
import { createTestApp, type TestApp } from 'test/support/test-app';

const DASHBOARD = join(resolve(__dirname, '..', '..'), 'deploy', 'grafana', 'tracker-dashboard.json');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string }>;
}

/** Every query of the shipped Grafana dashboard reads series the tracker's /metrics declares, and nothing else. */
describe('the Grafana dashboard', () => {
  let t: TestApp;
  let exported: Set<string>;
  let dashboard: { panels: Panel[]; templating: { list: Array<{ name: string; definition: string }> } };

  beforeAll(async () => {
    t = await createTestApp();
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    exported = exportedSeriesNames(metrics.body);
    dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as typeof dashboard;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('has Prometheus queries in every panel but its rows, each with its own refId', () => {
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect({ panel: panel.title, datasource: panel.datasource?.type, queries: (panel.targets ?? []).length > 0 })
        .toEqual({ panel: panel.title, datasource: 'prometheus', queries: true }); // prettier-ignore
      const refIds = panel.targets!.map((target) => target.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('names in every query only metrics the tracker exports', () => {
    const queries = [
      ...dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ where: `${panel.title} ${target.refId}`, expr: target.expr })),
      ),
      ...dashboard.templating.list.map((variable) => ({ where: `$${variable.name}`, expr: variable.definition })),
    ];
    for (const { where, expr } of queries) {
      const series = trackerSeriesIn(expr);
      expect({ where, names: series.length > 0, unknown: series.filter((name) => !exported.has(name)) }).toEqual({
        where,
        names: true,
        unknown: [],
      });
    }
  });

  it('is read against a /metrics that declares the issue 17 additions', () => {
    for (const name of [
      'tracker_build_info',
      'tracker_pending_accounts',
      'tracker_pending_bytes',
      'tracker_redis_command_duration_seconds_bucket',
      'tracker_redis_command_errors_total',
      'tracker_admin_requests_total',
      'tracker_ready',
    ]) {
      expect(exported).toContain(name);
    }
  });
});
