import { Counter, Histogram, Registry } from 'prom-client';
import { TallyCounter, TallyHistogram } from 'src/metrics/tally-metrics';

describe('tally metrics', () => {
  it("print exactly what prom-client's counter and histogram print for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const buckets = [0.001, 0.01, 0.1];
    const counter = new TallyCounter('requests_total', 'Requests', ['action', 'result'], ours);
    const histogram = new TallyHistogram('duration_seconds', 'Duration', ['action'], buckets, ours);
    const promCounter = new Counter({
      name: 'requests_total',
      help: 'Requests',
      labelNames: ['action', 'result'],
      registers: [theirs],
    });
    const promHistogram = new Histogram({
      name: 'duration_seconds',
      help: 'Duration',
      labelNames: ['action'],
      buckets,
      registers: [theirs],
    });

    const ok = counter.labels('announce', 'ok');
    ok.value += 3;
    counter.labels('scrape', 'bad_request').value++;
    promCounter.labels('announce', 'ok').inc(3);
    promCounter.labels('scrape', 'bad_request').inc();
    for (const [action, seconds] of [
      ['announce', 0.0005],
      ['announce', 0.01],
      ['announce', 0.5],
      ['scrape', 0.05],
    ] as const) {
      histogram.labels(action).observe(seconds);
      promHistogram.labels(action).observe(seconds);
    }

    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
