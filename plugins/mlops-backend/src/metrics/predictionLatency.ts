import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { LogSummary, logBinIndex, logBinUpper } from '../stats/summaries';

/** Serving latency over the model's budget: its p99 latency gate, else its rollout analysis limit. */
export function latencyBudgetMs(policy: ModelPolicy): number {
  const gate = policy.gates.find(g => g.kind === 'latency-budget' && g.percentile === 'p99');
  return gate && gate.kind === 'latency-budget' ? gate.maxMs : policy.rollout.analysis.maxP99LatencyMs;
}

/**
 * The histogram's bucket bounds are upper bounds of the summaries' log bins (1 % accuracy), so a
 * stored bin lands in exactly one bucket: every 35th bin, a factor of about 2 from 0.5 ms to 130 s.
 */
const GRID = Array.from({ length: 19 }, (_, k) => 35 * (k - 1));

/**
 * A bucket bound as the `le` label says it: seconds to six significant digits. The alert rules
 * write the label with this same function, so a rule's `le` matches the exported one exactly.
 */
export function bucketLabel(binIndex: number): string {
  return String(Number((logBinUpper(binIndex) / 1000).toPrecision(6)));
}

/** The `le` of the bucket that ends where a latency budget's log bin ends (at most 2 % above it). */
export function budgetBucketLabel(budgetMs: number): string {
  return bucketLabel(logBinIndex(budgetMs));
}

type Series = { labels: Record<string, string>; budgetBin: number | undefined; zeros: number; bins: Map<number, number>; count: number; sumMs: number };

type MetricValue = { labels: Record<string, string | number>; value: number; metricName: string };

/**
 * A Prometheus histogram of prediction latency in seconds, per model and version, fed with whole
 * log summaries of committed predictions. Each series keeps the summaries' own log bins (a few
 * hundred at most), so the buckets are computed at scrape time exactly: the grid above plus the
 * bucket of the model's latency budget, which the burn-rate rules read.
 *
 * prom-client's Histogram takes one value per call; this one takes a summary of thousands.
 */
export class PredictionLatencyHistogram {
  readonly name = 'mlops_prediction_latency_seconds';
  readonly help = 'Serving latency of committed predictions, per model and version (buckets are bounds of the 1 % log bins)';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  /** Adds a committed batch's latency summary (milliseconds) to a model version's series. */
  add(labels: { model: string; version: string }, summary: LogSummary, budgetMs: number | undefined) {
    const key = `${labels.model}\u0000${labels.version}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { ...labels }, budgetBin: undefined, zeros: 0, bins: new Map(), count: 0, sumMs: 0 }));
    if (budgetMs !== undefined) s.budgetBin = logBinIndex(budgetMs);
    s.zeros += summary.zeros;
    s.count += summary.n;
    s.sumMs += summary.sum;
    for (const [bin, count] of summary.counts) s.bins.set(bin, (s.bins.get(bin) ?? 0) + count);
  }

  /** prom-client's metric interface (Registry#registerMetric). */
  async get() {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      const edges = [...new Set(s.budgetBin === undefined ? GRID : [...GRID, s.budgetBin])].sort((a, b) => a - b);
      const bins = [...s.bins.entries()].sort((a, b) => a[0] - b[0]);
      let cumulative = s.zeros;
      let next = 0;
      const seen = new Set<string>();
      for (const edge of edges) {
        while (next < bins.length && bins[next][0] <= edge) cumulative += bins[next++][1];
        const le = bucketLabel(edge);
        if (seen.has(le)) continue;
        seen.add(le);
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sumMs / 1000, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset() {
    this.series.clear();
  }
}
