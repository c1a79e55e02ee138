/** Series a metric family prints besides its own name. */
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];

/**
 * Every series name the tracker's /metrics declares, from its `# TYPE` lines (a family is declared even before its
 * first sample): the family's name, and for histograms and summaries their `_bucket`/`_sum`/`_count` series.
 */
export function exportedSeriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      HISTOGRAM_SERIES.forEach((suffix) => names.add(`${name}${suffix}`));
    }
  }
  return names;
}

/** The tracker's own series a PromQL expression reads: `tracker_*`, `process_*` and `nodejs_*` names. */
export function trackerSeriesIn(expression: string): string[] {
  // Label values and template strings may contain anything: leave quoted text out.
  const unquoted = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(unquoted.match(/\b(?:tracker|process|nodejs)_[a-zA-Z0-9_:]*/g) ?? [])];
}
