import { InputError } from '@backstage/errors';
import {
  isProportionKpi,
  KpiDefinition,
  KpiMetric,
  KpiOverview,
  KpiOverviewRow,
  KpiPoint,
  KpiReport,
  KpiSeries,
  KpiValue,
  MAX_SERIES_POINTS,
  ModelPolicy,
  parseDuration,
  segmentDimensions,
  SloStatus,
} from '@modelrails/plugin-mlops-common';
import { coverWithRollups } from '../telemetry/DatabaseTelemetryStore';
import { autoStep, seriesStep } from '../telemetry/steps';
import {
  ALL_TRAFFIC,
  BUCKET_MS,
  EVENTS,
  INPUT_TOKENS,
  LATENCY,
  LLM_SUMMARIES,
  OUTPUT_TOKENS,
  OUTPUT_TOKENS_PER_SECOND,
  segmentTag,
  TIME_TO_FIRST_TOKEN,
} from '../telemetry/constants';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { decodeSummary, emptyLog, EventCounts, LOG_ACCURACY, LogSummary, logQuantile, mergeInto } from '../stats/summaries';
import { KpiStore, ReplicaSample } from './KpiStore';
import { wilsonInterval } from './wilson';
import { kpiOutcomes } from './LabelRollups';

const HOUR = 3_600_000;

export type KpiQuery = {
  from: number;
  to: number;
  stepMs?: number;
  version?: string;
  /** Segment tags to slice every metric by (each a tag of the model's drift or KPI segments). */
  segmentTags?: string[];
  /** The Model's spec.type: an `llm` has token, time-to-first-token and token cost metrics. */
  modelType?: string;
};

export type KpiServiceOptions = {
  telemetry: TelemetryStore;
  store: KpiStore;
  policies: (modelRef: string) => Promise<ModelPolicy | undefined>;
  currency?: string;
  now?: () => number;
};

/** The value's place against the band; no value is no data. */
export function sloStatusOf(value: number | null, slo: { min: number | null; max: number | null } | null): SloStatus {
  if (value === null || !Number.isFinite(value)) return 'no-data';
  if (slo && ((slo.min !== null && value < slo.min) || (slo.max !== null && value > slo.max))) return 'breach';
  return 'ok';
}

/**
 * `priced`: predictions made while a replica sample was in effect (what the cost is spread over).
 * `servingMs`: of a window's total, the time of the steps that had traffic (throughput is per second of serving).
 */
type Cell = {
  n: number;
  priced: number;
  errors: number;
  latency: LogSummary;
  positives: Map<string, number>;
  start: number;
  end: number;
  servingMs?: number;
  /** LLM serving, in the order of LLM_SUMMARIES; `pricedTokens` as `priced`, for tokens in and out. */
  llm: LogSummary[];
  pricedTokens: number;
};

const emptyCell = (start: number, end: number): Cell => ({
  n: 0,
  priced: 0,
  errors: 0,
  latency: emptyLog(),
  positives: new Map(),
  start,
  end,
  llm: LLM_SUMMARIES.map(() => emptyLog()),
  pricedTokens: 0,
});
const LLM_INDEX = new Map<string, number>(LLM_SUMMARIES.map((feature, k) => [feature, k]));
const logOf = (c: Cell, feature: (typeof LLM_SUMMARIES)[number]) => c.llm[LLM_INDEX.get(feature)!];

const termText = (t: KpiDefinition['numerator']) => (t.source === 'outcome' ? `${t.outcome} outcomes` : 'predictions');

const ratio = (numerator: number, denominator: number, proportion: boolean): KpiValue => {
  const interval = proportion ? wilsonInterval(numerator, denominator) : null;
  return {
    value: denominator > 0 ? numerator / denominator : null,
    lower: interval?.[0] ?? null,
    upper: interval?.[1] ?? null,
    numerator,
    denominator,
  };
};

const plain = (value: number | null, numerator: number | null = null, denominator: number | null = null): KpiValue => ({
  value: value !== null && Number.isFinite(value) ? value : null,
  lower: null,
  upper: null,
  numerator,
  denominator,
});

/** Cost of [from, to) from replica samples (each applies until the next); the share of it they cover. */
export function costOver(samples: ReplicaSample[], from: number, to: number): { cost: number; covered: number } {
  let cost = 0;
  let covered = 0;
  for (let i = 0; i < samples.length; i++) {
    const start = Math.max(from, samples[i].observedAt);
    const end = Math.min(to, samples[i + 1]?.observedAt ?? Infinity);
    if (end <= start) continue;
    cost += (samples[i].hourlyCost * (end - start)) / HOUR;
    covered += end - start;
  }
  return { cost, covered: to > from ? covered / (to - from) : 0 };
}

function costDefinition(policy: ModelPolicy, version: string | undefined, per = '1,000 predictions') {
  if (!policy.cost) return 'no cost model in the policy';
  if (version) return "replicas are the model's, not a version's: ask without a version";
  return `replica-hours in ${policy.cost.environment} / ${per}`;
}

/** KPIs, operational metrics and cost of a model over a window, and of every model for the overview. */
export interface KpiService {
  policyOf(modelRef: string): Promise<ModelPolicy>;
  report(modelRef: string, policy: ModelPolicy, query: KpiQuery): Promise<KpiReport>;
  overview(
    models: Array<{ entityRef: string; title: string; owner: string | null; lifecycle: string | null; policy: ModelPolicy; type?: string }>,
    query: { from: number; to: number; stepMs?: number },
  ): Promise<KpiOverview>;
}

/**
 * Per-model KPIs and operational metrics over any window, from stored summaries (predictions,
 * errors, latency), label rollups (outcomes) and replica samples (cost): never from raw events,
 * so a month costs what an hour does. The portal and the Grafana data source both read this.
 */
export class DefaultKpiService implements KpiService {
  private readonly now: () => number;

  constructor(private readonly options: KpiServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  get currency() {
    return this.options.currency ?? 'USD';
  }

  async policyOf(modelRef: string): Promise<ModelPolicy> {
    const policy = await this.options.policies(modelRef);
    if (!policy) throw new InputError(`No Model entity ${modelRef} in the catalog`);
    return policy;
  }

  async report(modelRef: string, policy: ModelPolicy, query: KpiQuery): Promise<KpiReport> {
    const { from, to } = query;
    if (!(from < to)) throw new InputError('from must be before to');
    const { stepMs, resolution } = seriesStep(from, to, query.stepMs, MAX_SERIES_POINTS.kpi, this.options.telemetry.finestBucketMs(from));
    const dimensions = segmentDimensions(policy);
    const tags = query.segmentTags ?? [];
    for (const tag of tags) {
      if (!dimensions.includes(tag)) throw new InputError(`segments: "${tag}" is not among the model's segment tags (${dimensions.join(', ') || 'none'})`);
    }
    const wanted = (segment: string) => segment === ALL_TRAFFIC || tags.includes(segmentTag(segment));
    const outcomes = kpiOutcomes(policy);

    const [summaries, labels, settled, samples] = await Promise.all([
      this.options.telemetry.readSummaries({
        modelRef,
        version: query.version,
        features: [EVENTS, LATENCY, ...LLM_SUMMARIES],
        from,
        to,
        resolution: 'coarsest',
        maxBucketMs: resolution,
      }),
      this.options.store.readLabelRollups({ modelRef, outcomes, version: query.version, ranges: coverWithRollups(from, to, 0, resolution) }),
      this.options.store.settledUntil(modelRef),
      policy.cost && !query.version ? this.options.store.replicaSamples(modelRef, from, to) : Promise.resolve([]),
    ]);

    // One cell per segment and step; the window's totals are the cells added up.
    const firstStep = Math.floor(from / stepMs) * stepMs;
    const steps = Math.ceil((to - firstStep) / stepMs);
    const cells = new Map<string, Cell[]>();
    const cellsOf = (segment: string) => {
      let row = cells.get(segment);
      if (!row) {
        row = Array.from({ length: steps }, (_, i) => emptyCell(Math.max(from, firstStep + i * stepMs), Math.min(to, firstStep + (i + 1) * stepMs)));
        cells.set(segment, row);
      }
      return row;
    };
    cellsOf(ALL_TRAFFIC);
    const stepOf = (bucketStart: number) => Math.min(steps - 1, Math.max(0, Math.floor((bucketStart - firstStep) / stepMs)));
    const byVersion = new Map<string, { first: number; last: number; n: number; perStep: number[] }>();
    for (const r of summaries) {
      if (!wanted(r.segment)) continue;
      const cell = cellsOf(r.segment)[stepOf(r.bucketStart)];
      if (r.feature === EVENTS) {
        const e = r.summary as EventCounts;
        cell.n += e.n;
        cell.errors += e.errors;
        if (samples.length && r.segment === ALL_TRAFFIC) cell.priced += e.n * costOver(samples, r.bucketStart, r.bucketStart + r.bucketMs).covered;
        if (r.segment === ALL_TRAFFIC && e.n) {
          const v = byVersion.get(r.version) ?? { first: Infinity, last: -Infinity, n: 0, perStep: new Array(steps).fill(0) };
          v.first = Math.min(v.first, r.bucketStart);
          v.last = Math.max(v.last, r.bucketStart + r.bucketMs);
          v.n += e.n;
          v.perStep[stepOf(r.bucketStart)] += e.n;
          byVersion.set(r.version, v);
        }
      } else if (r.feature === LATENCY) {
        mergeInto(cell.latency, decodeSummary(r.summary) as LogSummary);
      } else {
        const summary = decodeSummary(r.summary) as LogSummary;
        mergeInto(cell.llm[LLM_INDEX.get(r.feature)!], summary);
        if (samples.length && r.segment === ALL_TRAFFIC && (r.feature === INPUT_TOKENS || r.feature === OUTPUT_TOKENS)) {
          cell.pricedTokens += summary.sum * costOver(samples, r.bucketStart, r.bucketStart + r.bucketMs).covered;
        }
      }
    }
    for (const r of labels) {
      if (!wanted(r.segment)) continue;
      const cell = cellsOf(r.segment)[stepOf(r.bucketStart)];
      cell.positives.set(r.outcome, (cell.positives.get(r.outcome) ?? 0) + r.positives);
    }
    const segments = [ALL_TRAFFIC, ...[...cells.keys()].filter(s => s !== ALL_TRAFFIC).sort()];
    const totals = new Map(
      segments.map(segment => {
        const total = { ...emptyCell(from, to), servingMs: 0 };
        for (const c of cells.get(segment)!) {
          if (c.n > 0) total.servingMs += c.end - c.start;
          total.n += c.n;
          total.priced += c.priced;
          total.pricedTokens += c.pricedTokens;
          total.errors += c.errors;
          mergeInto(total.latency, c.latency);
          c.llm.forEach((summary, k) => mergeInto(total.llm[k], summary));
          for (const [o, x] of c.positives) total.positives.set(o, (total.positives.get(o) ?? 0) + x);
        }
        return [segment, total];
      }),
    );

    const metric = (
      base: Omit<KpiMetric, 'series' | 'sloStatus'>,
      valueOf: (cell: Cell) => KpiValue,
      onlyAllTraffic = false,
    ): KpiMetric => {
      const series: KpiSeries[] = (onlyAllTraffic ? [ALL_TRAFFIC] : segments).map(segment => ({
        segment,
        current: valueOf(totals.get(segment)!),
        points: cells.get(segment)!.map(c => ({ start: new Date(c.start).toISOString(), end: new Date(c.end).toISOString(), ...valueOf(c) }) as KpiPoint),
      }));
      return { ...base, series, sloStatus: sloStatusOf(series[0].current.value, base.slo) };
    };

    const term = (t: KpiDefinition['numerator'], c: Cell) => (t.source === 'outcome' ? c.positives.get(t.outcome) ?? 0 : c.n);
    const metrics: KpiMetric[] = policy.kpis.map(k =>
      metric(
        {
          name: k.name,
          title: k.title ?? k.name,
          kind: 'kpi',
          unit: 'ratio',
          direction: k.direction,
          definition: `${termText(k.numerator)} / ${termText(k.denominator)}`,
          proportion: isProportionKpi(k),
          slo: k.slo ? { min: k.slo.min ?? null, max: k.slo.max ?? null } : null,
        },
        c => ratio(term(k.numerator, c), term(k.denominator, c), isProportionKpi(k)),
      ),
    );

    const latencyBudget = (percentile: 'p50' | 'p95' | 'p99') =>
      policy.gates.find((g): g is Extract<ModelPolicy['gates'][number], { kind: 'latency-budget' }> => g.kind === 'latency-budget' && g.percentile === percentile)?.maxMs ??
      (percentile === 'p99' ? policy.rollout.analysis.maxP99LatencyMs : undefined);
    const band = (max: number | undefined) => (max === undefined ? null : { min: null, max });
    metrics.push(
      metric(
        { name: 'throughput', title: 'Throughput', kind: 'operational', unit: 'per-second', direction: 'higher-is-better', definition: 'predictions per second while serving (steps without traffic left out)', proportion: false, slo: null },
        c => {
          // A window's throughput averages the steps that had traffic, not the hours before the model served.
          const seconds = (c.servingMs ?? c.end - c.start) / 1000;
          return plain(c.n && seconds ? c.n / seconds : 0, c.n, seconds);
        },
      ),
      metric(
        { name: 'error_rate', title: 'Error rate', kind: 'operational', unit: 'ratio', direction: 'lower-is-better', definition: 'errors / predictions', proportion: true, slo: band(policy.rollout.analysis.maxErrorRate) },
        c => ratio(c.errors, c.n, true),
      ),
      ...(['p50', 'p95', 'p99'] as const).map(p =>
        metric(
          {
            name: `latency_${p}`,
            title: `Latency ${p}`,
            kind: 'operational',
            unit: 'ms',
            direction: 'lower-is-better',
            definition: `${p.slice(1)}th percentile of latency (within ${LOG_ACCURACY * 100} %)`,
            proportion: false,
            slo: band(latencyBudget(p)),
          },
          c => plain(c.latency.n ? logQuantile(c.latency, Number(p.slice(1)) / 100) : null, null, c.latency.n),
        ),
      ),
      metric(
        {
          name: 'cost_per_1k',
          title: 'Cost per 1K predictions',
          kind: 'operational',
          unit: 'currency',
          direction: 'lower-is-better',
          definition: costDefinition(policy, query.version),
          proportion: false,
          slo: band(policy.cost?.maxPer1k),
        },
        c => {
          if (!samples.length) return plain(null, null, c.n);
          // Cost and predictions of the part of the span a sample prices (before the first, unknown).
          const { cost, covered } = costOver(samples, c.start, c.end);
          return plain(covered > 0 && c.priced > 0 ? (cost / c.priced) * 1000 : null, covered > 0 ? cost : null, c.priced);
        },
        true,
      ),
    );
    const servesLlm = query.modelType === 'llm' || [...totals.values()].some(t => t.llm.some(summary => summary.n > 0));
    if (servesLlm) metrics.push(...this.llmMetrics(policy, query.version, samples, metric));

    const versions = [...byVersion.entries()]
      .sort((a, b) => a[1].first - b[1].first || a[0].localeCompare(b[0]))
      .map(([version, v]) => ({ version, from: new Date(Math.max(from, v.first)).toISOString(), to: new Date(Math.min(to, v.last)).toISOString(), predictions: v.n }));
    const versionChanges: KpiReport['versionChanges'] = [];
    let serving: string | null = null;
    for (let i = 0; i < steps; i++) {
      let busiest: string | null = null;
      let most = 0;
      for (const [version, v] of byVersion) {
        if (v.perStep[i] > most) {
          most = v.perStep[i];
          busiest = version;
        }
      }
      if (busiest && busiest !== serving) {
        if (serving !== null) versionChanges.push({ at: new Date(cells.get(ALL_TRAFFIC)![i].start).toISOString(), from: serving, to: busiest });
        serving = busiest;
      }
    }

    const settledTimes = outcomes.map(o => settled.get(o) ?? from);
    const maturity = parseDuration(policy.retraining.labelMaturity);
    return {
      modelRef,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepMs,
      version: query.version ?? null,
      segmentTags: tags,
      provisionalFrom: new Date(settledTimes.length ? Math.min(...settledTimes) : Math.floor((this.now() - maturity) / BUCKET_MS) * BUCKET_MS).toISOString(),
      currency: this.currency,
      latencyRelativeError: LOG_ACCURACY,
      metrics,
      versions,
      versionChanges,
    };
  }

  /**
   * LLM serving: tokens per request in and out, time to first token, the median decode rate, and
   * cost per million tokens (replica cost over the tokens it served, as cost_per_1k over predictions).
   */
  private llmMetrics(
    policy: ModelPolicy,
    version: string | undefined,
    samples: ReplicaSample[],
    metric: (base: Omit<KpiMetric, 'series' | 'sloStatus'>, valueOf: (cell: Cell) => KpiValue, onlyAllTraffic?: boolean) => KpiMetric,
  ): KpiMetric[] {
    const band = (min: number | undefined, max: number | undefined) => (min === undefined && max === undefined ? null : { min: min ?? null, max: max ?? null });
    const tokens = (feature: typeof INPUT_TOKENS | typeof OUTPUT_TOKENS, which: string): KpiMetric =>
      metric(
        { name: `${which}_tokens`, title: `${which === 'input' ? 'Input' : 'Output'} tokens`, kind: 'operational', unit: 'tokens', direction: 'lower-is-better', definition: which === 'input' ? 'mean per request (the prompt)' : 'mean per request', proportion: false, slo: null },
        c => {
          const s = logOf(c, feature);
          return plain(s.n ? s.sum / s.n : null, s.sum, s.n);
        },
      );
    const quantile = (feature: (typeof LLM_SUMMARIES)[number], q: number) => (c: Cell) => {
      const s = logOf(c, feature);
      return plain(s.n ? logQuantile(s, q) : null, null, s.n);
    };
    return [
      tokens(INPUT_TOKENS, 'input'),
      tokens(OUTPUT_TOKENS, 'output'),
      ...(['p50', 'p95'] as const).map(p =>
        metric(
          {
            name: `time_to_first_token_${p}`,
            title: `Time to first token ${p}`,
            kind: 'operational',
            unit: 'ms',
            direction: 'lower-is-better',
            definition: `until the first generated token (within ${LOG_ACCURACY * 100} %)`,
            proportion: false,
            slo: p === 'p95' ? band(undefined, policy.llm?.maxTimeToFirstTokenMs) : null,
          },
          quantile(TIME_TO_FIRST_TOKEN, Number(p.slice(1)) / 100),
        ),
      ),
      metric(
        {
          name: 'output_tokens_per_second',
          title: 'Output tokens per second',
          kind: 'operational',
          unit: 'tokens-per-second',
          direction: 'higher-is-better',
          definition: 'median per request, after the first token',
          proportion: false,
          slo: band(policy.llm?.minOutputTokensPerSecond, undefined),
        },
        quantile(OUTPUT_TOKENS_PER_SECOND, 0.5),
      ),
      metric(
        {
          name: 'cost_per_1m_tokens',
          title: 'Cost per 1M tokens',
          kind: 'operational',
          unit: 'currency',
          direction: 'lower-is-better',
          definition: costDefinition(policy, version, '1M tokens'),
          proportion: false,
          slo: band(undefined, policy.cost?.maxPer1MTokens),
        },
        c => {
          if (!samples.length) return plain(null, null, c.pricedTokens);
          const { cost, covered } = costOver(samples, c.start, c.end);
          return plain(covered > 0 && c.pricedTokens > 0 ? (cost / c.pricedTokens) * 1e6 : null, covered > 0 ? cost : null, c.pricedTokens);
        },
        true,
      ),
    ];
  }

  /** One row per model: its metrics over the window (all traffic), worst SLO status first in sorting. */
  async overview(
    models: Array<{ entityRef: string; title: string; owner: string | null; lifecycle: string | null; policy: ModelPolicy; type?: string }>,
    query: { from: number; to: number; stepMs?: number },
  ): Promise<KpiOverview> {
    const stepMs = query.stepMs ?? autoStep(query.to - query.from);
    const items: KpiOverviewRow[] = [];
    for (const model of models) {
      const report = await this.report(model.entityRef, model.policy, { ...query, stepMs, modelType: model.type });
      const breaches = report.metrics.filter(m => m.sloStatus === 'breach').map(m => m.name);
      // "Within SLO" only when some metric with an SLO was measured: traffic alone proves nothing.
      const measured = report.metrics.some(m => m.sloStatus !== 'no-data' && m.slo && (m.slo.min !== null || m.slo.max !== null));
      let sloStatus: KpiOverviewRow['sloStatus'] = measured ? 'ok' : 'no-data';
      if (breaches.length) sloStatus = 'breach';
      items.push({
        modelRef: model.entityRef,
        title: model.title,
        owner: model.owner,
        lifecycle: model.lifecycle,
        sloStatus,
        breaches,
        costPer1k: report.metrics.find(m => m.name === 'cost_per_1k')?.series[0].current.value ?? null,
        predictions: report.metrics.find(m => m.name === 'throughput')?.series[0].current.numerator ?? 0,
        metrics: report.metrics.map(({ series, ...m }) => ({
          name: m.name,
          title: m.title,
          kind: m.kind,
          unit: m.unit,
          direction: m.direction,
          slo: m.slo,
          sloStatus: m.sloStatus,
          current: series[0].current,
          points: series[0].points,
        })),
      });
    }
    return { from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString(), stepMs, currency: this.currency, items };
  }
}
