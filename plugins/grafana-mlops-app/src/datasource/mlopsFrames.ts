import { createDataFrame, DataFrame, FieldType } from '@grafana/data';
import type {
  Backtest,
  DriftSeries,
  GetEvaluation200Response,
  FeatureDistribution,
  KpiMetric,
  KpiOverview,
  KpiPoint,
  KpiReport,
  KpiValue,
  ModelEvent,
  RolloutCheck,
  RolloutDetail,
} from '@modelrails/plugin-mlops-common';
import { ModelPolicyView } from './types';

/*
 * Backend answers as DataFrames. Every frame carries `meta.custom.kind` (what it is) and the
 * model's entity ref; the field names below are the data source's documented contract, which the
 * panels and any Grafana panel (time series, table, state timeline) read.
 */

/** Grafana unit ids for the backend's metric units. */
export function grafanaUnit(unit: KpiMetric['unit'], currency: string): string {
  switch (unit) {
    case 'ratio':
      return 'percentunit';
    case 'ms':
      return 'ms';
    case 'per-second':
      return 'reqps';
    // Grafana's custom-unit syntax: the value, a space, then the suffix.
    case 'tokens':
      return 'suffix:tokens';
    case 'tokens-per-second':
      return 'suffix:tokens/s';
    default:
      return `currency${currency}`;
  }
}

type KpiFrameInput = {
  refId: string;
  model: string;
  modelTitle: string;
  metric: Pick<KpiMetric, 'name' | 'title' | 'kind' | 'unit' | 'direction' | 'slo' | 'sloStatus'> & { definition?: string; proportion?: boolean };
  segment: string;
  current: KpiValue;
  points: KpiPoint[];
  currency: string;
};

/**
 * One KPI or operational metric of one model and segment. Fields: `time` (step start), `value`,
 * `lower`, `upper` (95 % Wilson interval of proportions, else null), `numerator`, `denominator`.
 * `value` has the labels model / metric / segment and the metric's unit; meta.custom holds the
 * whole window's value (`current`), `slo`, `sloStatus` and `direction`.
 */
function kpiFrame(input: KpiFrameInput): DataFrame {
  const { metric, points } = input;
  const labels = { model: input.model, metric: metric.name, segment: input.segment };
  const unit = grafanaUnit(metric.unit, input.currency);
  return createDataFrame({
    refId: input.refId,
    name: `${input.modelTitle} ${metric.title}${input.segment === '*' ? '' : ` (${input.segment})`}`,
    meta: {
      custom: {
        kind: 'kpi',
        model: input.model,
        modelTitle: input.modelTitle,
        metric: metric.name,
        title: metric.title,
        metricKind: metric.kind,
        unit: metric.unit,
        direction: metric.direction,
        definition: metric.definition ?? null,
        proportion: metric.proportion ?? false,
        segment: input.segment,
        slo: metric.slo,
        sloStatus: metric.sloStatus,
        current: input.current,
      },
    },
    fields: [
      { name: 'time', type: FieldType.time, values: points.map(p => Date.parse(p.start)) },
      { name: 'value', type: FieldType.number, values: points.map(p => p.value), labels, config: { unit, displayName: metric.title } },
      { name: 'lower', type: FieldType.number, values: points.map(p => p.lower), labels, config: { unit } },
      { name: 'upper', type: FieldType.number, values: points.map(p => p.upper), labels, config: { unit } },
      { name: 'numerator', type: FieldType.number, values: points.map(p => p.numerator), labels },
      { name: 'denominator', type: FieldType.number, values: points.map(p => p.denominator), labels },
    ],
  });
}

/**
 * Where the serving version changed: fields `time`, `from`, `to` (versions); meta.custom.kind
 * `version-changes`.
 */
function versionChangeFrame(refId: string, model: string, changes: KpiReport['versionChanges']): DataFrame {
  return createDataFrame({
    refId,
    name: `${model} version changes`,
    meta: { custom: { kind: 'version-changes', model } },
    fields: [
      { name: 'time', type: FieldType.time, values: changes.map(c => Date.parse(c.at)) },
      { name: 'from', type: FieldType.string, values: changes.map(c => c.from) },
      { name: 'to', type: FieldType.string, values: changes.map(c => c.to) },
    ],
  });
}

/** A model's KPI report: a frame per metric and segment, then the version changes. */
export function kpiReportFrames(report: KpiReport, refId: string, modelTitle: string): DataFrame[] {
  const frames = report.metrics.flatMap(metric =>
    metric.series.map(series =>
      kpiFrame({ refId, model: report.modelRef, modelTitle, metric, segment: series.segment, current: series.current, points: series.points, currency: report.currency }),
    ),
  );
  return [...frames, versionChangeFrame(refId, report.modelRef, report.versionChanges)];
}

/** Every model's all-traffic metrics (the overview): a frame per model and metric. */
export function kpiOverviewFrames(overview: KpiOverview, refId: string): DataFrame[] {
  return overview.items.flatMap(row =>
    row.metrics.map(metric =>
      kpiFrame({ refId, model: row.modelRef, modelTitle: row.title, metric, segment: '*', current: metric.current, points: metric.points, currency: overview.currency }),
    ),
  );
}

const PERFORMANCE_METRICS = [
  { key: 'auc', title: 'ROC AUC' },
  { key: 'precision', title: 'Precision' },
  { key: 'recall', title: 'Recall' },
] as const;

/**
 * Performance before labels (CBPE) beside the realised values: a frame per metric, meta.custom.kind
 * `performance`. Fields: `time` (window start), `value` (estimated), `lower` / `upper` (its 95 %
 * interval), `realised` (from matured labels; null until they are). meta.custom.current holds the
 * newest estimate, meta.custom.realised the newest realised value and its window.
 */
export function performanceFrames(report: GetEvaluation200Response, refId: string, modelTitle: string): DataFrame[] {
  const times = report.days.map(d => Date.parse(d.start));
  const newest = [...report.days].reverse();
  return PERFORMANCE_METRICS.map(({ key, title }) => {
    const labels = { model: report.modelRef, metric: `estimated_${key}` };
    const estimate = newest.find(d => d.estimated?.[key])?.estimated?.[key] ?? null;
    const realised = newest.find(d => d[key] !== null);
    return createDataFrame({
      refId,
      name: `${modelTitle} ${title} (estimated)`,
      meta: {
        custom: {
          kind: 'performance',
          model: report.modelRef,
          modelTitle,
          metric: `estimated_${key}`,
          title: `${title}, estimated`,
          definition: `${title} of "${report.outcome}" at score ≥ ${report.threshold}, estimated before labels (CBPE) from the scores; labels count once ${report.maturity} old`,
          current: { value: estimate?.value ?? null, lower: estimate?.lower ?? null, upper: estimate?.upper ?? null },
          realised: realised ? { value: realised[key], start: realised.start, n: realised.n } : null,
          maturity: report.maturity,
          step: report.step,
        },
      },
      fields: [
        { name: 'time', type: FieldType.time, values: times },
        { name: 'value', type: FieldType.number, values: report.days.map(d => d.estimated?.[key]?.value ?? null), labels, config: { displayName: `${title}, estimated`, decimals: 3 } },
        { name: 'lower', type: FieldType.number, values: report.days.map(d => d.estimated?.[key]?.lower ?? null), labels, config: { decimals: 3 } },
        { name: 'upper', type: FieldType.number, values: report.days.map(d => d.estimated?.[key]?.upper ?? null), labels, config: { decimals: 3 } },
        { name: 'realised', type: FieldType.number, values: report.days.map(d => d[key]), labels, config: { displayName: `${title}, realised`, decimals: 3 } },
      ],
    });
  });
}

/**
 * The drift backtest as a table, a row per feature and check: `feature`, `check` (psi, ks,
 * chi-square, tail), `alarms`, `followed`, `precision`, `missed` (KPI changes it did not come
 * before), `lowered` (reported one tier lower by the policy's rule), `summary` (the sentence).
 * meta.custom: the window, horizon, KPI changes and the rule.
 */
export function backtestFrame(backtest: Backtest, refId: string): DataFrame {
  const s = backtest.signals;
  return createDataFrame({
    refId,
    name: 'Drift backtest',
    meta: {
      custom: {
        kind: 'backtest',
        model: backtest.modelRef,
        from: backtest.from,
        to: backtest.to,
        horizonMs: backtest.horizonMs,
        changes: backtest.changes,
        unexplained: backtest.unexplained,
        rule: backtest.rule,
      },
    },
    fields: [
      { name: 'feature', type: FieldType.string, values: s.map(x => x.feature) },
      { name: 'check', type: FieldType.string, values: s.map(x => x.check) },
      { name: 'alarms', type: FieldType.number, values: s.map(x => x.alarms), config: { decimals: 0 } },
      { name: 'followed', type: FieldType.number, values: s.map(x => x.followed), config: { decimals: 0 } },
      { name: 'precision', type: FieldType.number, values: s.map(x => x.precision), config: { unit: 'percentunit', decimals: 1 } },
      { name: 'missed', type: FieldType.number, values: s.map(x => x.missed), config: { decimals: 0, displayName: `changes missed (of ${backtest.changes.length})` } },
      { name: 'lowered', type: FieldType.boolean, values: s.map(x => x.lowered) },
      { name: 'summary', type: FieldType.string, values: s.map(x => x.summary) },
    ],
  });
}

/**
 * A feature's drift per step. Fields: `time` (step start), `psi`, `severity` (none, warning,
 * critical, insufficient: the backend's verdict), `n`, `pValue`, `violations` (failed contract
 * checks, comma-separated, empty when none). Labels model / feature / segment; meta.custom has the
 * feature's kind and PSI thresholds.
 */
export function driftFrames(series: DriftSeries, refId: string): DataFrame[] {
  const times = series.steps.map(s => Date.parse(s.start));
  return series.features.map(f => {
    const labels = { model: series.modelRef, feature: f.feature, segment: series.segment };
    return createDataFrame({
      refId,
      name: f.feature,
      meta: {
        custom: { kind: 'drift', model: series.modelRef, version: series.version, segment: series.segment, feature: f.feature, featureKind: f.kind, thresholds: f.thresholds, stepMs: series.stepMs, reference: series.reference },
      },
      fields: [
        { name: 'time', type: FieldType.time, values: times },
        { name: 'psi', type: FieldType.number, values: f.cells.map(c => c.psi), labels, config: { displayName: f.feature, decimals: 3 } },
        { name: 'severity', type: FieldType.string, values: f.cells.map(c => c.severity), labels },
        { name: 'n', type: FieldType.number, values: f.cells.map(c => c.n), labels },
        { name: 'pValue', type: FieldType.number, values: f.cells.map(c => c.pValue), labels },
        { name: 'violations', type: FieldType.string, values: f.cells.map(c => c.violations.join(',')), labels },
      ],
    });
  });
}

/**
 * Contract violations in the window, one row each. Fields: `feature`, `segment`, `check`, `value`
 * (share in the latest failing row), `threshold`, `first`, `last` (times), `open` (boolean).
 */
export function contractFrame(series: DriftSeries, refId: string): DataFrame {
  const v = series.violations;
  return createDataFrame({
    refId,
    name: `${series.modelRef} contract violations`,
    meta: { custom: { kind: 'contract', model: series.modelRef, version: series.version, segment: series.segment } },
    fields: [
      { name: 'feature', type: FieldType.string, values: v.map(x => x.feature) },
      { name: 'segment', type: FieldType.string, values: v.map(x => x.segment) },
      { name: 'check', type: FieldType.string, values: v.map(x => x.check) },
      { name: 'value', type: FieldType.number, values: v.map(x => x.value), config: { unit: 'percentunit' } },
      { name: 'threshold', type: FieldType.number, values: v.map(x => x.threshold), config: { unit: 'percentunit' } },
      { name: 'first', type: FieldType.time, values: v.map(x => Date.parse(x.firstBucket)) },
      { name: 'last', type: FieldType.time, values: v.map(x => Date.parse(x.lastBucket)) },
      { name: 'open', type: FieldType.boolean, values: v.map(x => x.open) },
    ],
  });
}

/**
 * A feature's reference and current distributions. Fields: `bin` (label), `reference`, `current`
 * (shares); meta.custom.drift is the backend's verdict for the feature.
 */
export function distributionFrame(d: FeatureDistribution, refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: `${d.feature} distribution`,
    meta: { custom: { kind: 'distribution', model: d.modelRef, version: d.version, segment: d.segment, feature: d.feature, window: d.window, drift: d.drift } },
    fields: [
      { name: 'bin', type: FieldType.string, values: d.bins.map(b => b.label) },
      { name: 'reference', type: FieldType.number, values: d.bins.map(b => b.reference), config: { unit: 'percentunit' } },
      { name: 'current', type: FieldType.number, values: d.bins.map(b => b.current), config: { unit: 'percentunit' } },
    ],
  });
}

/** Grafana unit ids for the values of each rollout check. */
const CHECK_UNITS: Record<RolloutCheck['check'], string> = {
  'error-rate': 'percentunit',
  'p99-latency': 'ms',
  // The challenger's relative difference from the champion; its championValue is a rate.
  kpi: 'percentunit',
  agreement: 'percentunit',
  'rank-correlation': 'none',
  'prediction-psi': 'none',
  samples: 'short',
  duration: 's',
};

/**
 * A rollout: `canary-stages` (one row per decision, oldest first: `id`, `time`, `stage`,
 * `weight`, `action`, `actor`, `reason`) and `canary-checks` (one row per check of each
 * analysis: `decision` (the stage row's id), `time`, `check`, `verdict`, `value`, `threshold`,
 * `comparator`, `unit` (a Grafana unit for value and threshold), `championValue` (the
 * champion's rate or latency), `lower`, `upper` (95 % interval of the relative difference, KPI),
 * `pValue`, `detail`). meta.custom.rollout is the rollout itself.
 */
export function canaryFrames(detail: RolloutDetail, refId: string): DataFrame[] {
  const { decisions, ...rollout } = detail;
  const ordered = [...decisions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
  const checks = ordered.flatMap(d => d.checks.map(c => ({ decision: d.id, at: Date.parse(d.at), ...c })));
  const meta = { custom: { kind: 'canary-stages', model: rollout.modelRef, rollout } };
  return [
    createDataFrame({
      refId,
      name: `${rollout.modelRef} v${rollout.version} rollout`,
      meta,
      fields: [
        { name: 'id', type: FieldType.number, values: ordered.map(d => d.id) },
        { name: 'time', type: FieldType.time, values: ordered.map(d => Date.parse(d.at)) },
        { name: 'stage', type: FieldType.string, values: ordered.map(d => d.stage) },
        { name: 'weight', type: FieldType.number, values: ordered.map(d => d.weight), config: { unit: 'percent' } },
        { name: 'action', type: FieldType.string, values: ordered.map(d => d.action) },
        { name: 'actor', type: FieldType.string, values: ordered.map(d => d.actor) },
        { name: 'reason', type: FieldType.string, values: ordered.map(d => d.reason) },
      ],
    }),
    createDataFrame({
      refId,
      name: `${rollout.modelRef} v${rollout.version} checks`,
      meta: { custom: { ...meta.custom, kind: 'canary-checks' } },
      fields: [
        { name: 'decision', type: FieldType.number, values: checks.map(c => c.decision) },
        { name: 'time', type: FieldType.time, values: checks.map(c => c.at) },
        { name: 'check', type: FieldType.string, values: checks.map(c => c.check) },
        { name: 'verdict', type: FieldType.string, values: checks.map(c => c.verdict) },
        { name: 'value', type: FieldType.number, values: checks.map(c => c.value) },
        { name: 'threshold', type: FieldType.number, values: checks.map(c => c.threshold) },
        { name: 'comparator', type: FieldType.string, values: checks.map(c => c.comparator) },
        { name: 'unit', type: FieldType.string, values: checks.map(c => CHECK_UNITS[c.check] ?? 'none') },
        { name: 'championValue', type: FieldType.number, values: checks.map(c => c.championValue ?? null) },
        { name: 'lower', type: FieldType.number, values: checks.map(c => c.interval?.[0] ?? null) },
        { name: 'upper', type: FieldType.number, values: checks.map(c => c.interval?.[1] ?? null) },
        { name: 'pValue', type: FieldType.number, values: checks.map(c => c.pValue ?? null) },
        { name: 'detail', type: FieldType.string, values: checks.map(c => c.detail) },
      ],
    }),
  ];
}

/**
 * Promotions and rollouts as annotations. Fields: `time`, `title`, `text`, `tags` (the event's
 * kind and `v<version>`), `kind`, `version`.
 */
export function eventsFrame(events: ModelEvent[], refId: string, model: string): DataFrame {
  return createDataFrame({
    refId,
    name: `${model} events`,
    meta: { custom: { kind: 'events', model } },
    fields: [
      { name: 'time', type: FieldType.time, values: events.map(e => Date.parse(e.at)) },
      { name: 'title', type: FieldType.string, values: events.map(e => e.title) },
      { name: 'text', type: FieldType.string, values: events.map(e => [e.text, e.actor ? `by ${e.actor}` : ''].filter(Boolean).join(' — ')) },
      { name: 'tags', type: FieldType.other, values: events.map(e => [e.kind, `v${e.version}`]) },
      { name: 'kind', type: FieldType.string, values: events.map(e => e.kind) },
      { name: 'version', type: FieldType.string, values: events.map(e => e.version) },
    ],
  });
}

/**
 * A model's policy as a table frame. Fields: `section` (string), `rule` (string), `value` (string);
 * the frame's name is the model's entity ref.
 */
export function policyToFrame(view: ModelPolicyView, refId: string): DataFrame {
  const section: string[] = [];
  const rule: string[] = [];
  const value: string[] = [];
  for (const s of view.sections) {
    for (const line of s.lines) {
      section.push(s.title);
      rule.push(line.label);
      value.push(line.value);
    }
  }
  return createDataFrame({
    refId,
    name: view.entityRef,
    fields: [
      { name: 'section', type: FieldType.string, values: section },
      { name: 'rule', type: FieldType.string, values: rule },
      { name: 'value', type: FieldType.string, values: value },
    ],
  });
}
