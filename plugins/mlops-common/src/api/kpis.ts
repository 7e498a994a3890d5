/*
 * KPI reports as the backend returns them (GET /models/{namespace}/{name}/kpis and GET /kpis):
 * one shape for the portal's card and overview and for the Grafana data source.
 */

/** @public */
export type SloStatus = 'ok' | 'breach' | 'no-data';

/**
 * One value over a span of time. `lower`/`upper`: the 95 % Wilson interval when the metric is a
 * proportion, else null. `numerator`/`denominator`: what the value was computed from (counts for
 * KPIs and error rate, predictions for throughput and cost, null for latency).
 *
 * @public
 */
export type KpiValue = {
  value: number | null;
  lower: number | null;
  upper: number | null;
  numerator: number | null;
  denominator: number | null;
};

/** @public */
export type KpiPoint = KpiValue & { start: string; end: string };

/** @public */
export type KpiSeries = {
  /** `*` for all traffic, else `tag=value`. */
  segment: string;
  /** Over the whole window. */
  current: KpiValue;
  points: KpiPoint[];
};

/**
 * A KPI of the model's policy, or one of the operational metrics every model has:
 * `throughput` (predictions per second), `error_rate`, `latency_p50|p95|p99` (ms) and
 * `cost_per_1k` (currency per 1,000 predictions).
 *
 * @public
 */
export type KpiMetric = {
  name: string;
  title: string;
  kind: 'kpi' | 'operational';
  unit: 'ratio' | 'per-second' | 'ms' | 'currency';
  direction: 'higher-is-better' | 'lower-is-better';
  /** The numerator and denominator in words, such as "click outcomes / predictions". */
  definition: string;
  proportion: boolean;
  slo: { min: number | null; max: number | null } | null;
  /** The whole window's value (all traffic) against the SLO band. */
  sloStatus: SloStatus;
  /** All traffic first, then each segment asked for. */
  series: KpiSeries[];
};

/** @public */
export type KpiVersionSpan = { version: string; from: string; to: string; predictions: number };

/** @public */
export type KpiReport = {
  modelRef: string;
  from: string;
  to: string;
  stepMs: number;
  /** The version asked for; null for all versions together. */
  version: string | null;
  /** Segment tags the series are sliced by. */
  segmentTags: string[];
  /** Labels of predictions made after this may still arrive (the policy's labelMaturity). */
  provisionalFrom: string;
  currency: string;
  /** Relative error bound of the latency percentiles (log-spaced summaries). */
  latencyRelativeError: number;
  metrics: KpiMetric[];
  /** Versions that served within the window, by first prediction. */
  versions: KpiVersionSpan[];
  /** Steps where the version serving most predictions changed: change markers. */
  versionChanges: Array<{ at: string; from: string | null; to: string }>;
};

/**
 * One model in the KPI overview: its KPIs and cost over the window, with an all-traffic sparkline.
 *
 * @public
 */
export type KpiOverviewRow = {
  modelRef: string;
  title: string;
  owner: string | null;
  lifecycle: string | null;
  /** The worst SLO status among the model's metrics. */
  sloStatus: SloStatus;
  breaches: string[];
  costPer1k: number | null;
  predictions: number;
  metrics: Array<Pick<KpiMetric, 'name' | 'title' | 'kind' | 'unit' | 'direction' | 'slo' | 'sloStatus'> & { current: KpiValue; points: KpiPoint[] }>;
};

/** @public */
export type KpiOverview = { from: string; to: string; stepMs: number; currency: string; items: KpiOverviewRow[] };
