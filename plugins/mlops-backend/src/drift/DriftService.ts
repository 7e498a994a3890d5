import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ContractCheck,
  ContractViolation,
  DistributionBin,
  DriftAlarm,
  DriftReport,
  DriftSeries,
  FeatureDistribution,
  FeatureDrift,
  formatNumber,
  MAX_SERIES_POINTS,
  ModelPolicy,
  parseDuration,
  Severity,
} from '@modelrails/plugin-mlops-common';

export type { DriftReport } from '@modelrails/plugin-mlops-common';
import { rejectedHypotheses } from '../stats/exact';
import { categoricalDrift, logDrift, numericDrift } from '../stats/fromSummaries';
import { tailCheck } from '../stats/tails';
import {
  AnySummary,
  CategoricalSummary,
  decodeSummary,
  EncodedSummary,
  EventCounts,
  LogSummary,
  logBinUpper,
  mergeInto,
  NumericLayout,
  NumericSummary,
} from '../stats/summaries';
import { evaluationOutcome } from '../evaluation/EvaluationService';
import { labelSummary, TelemetryService } from '../telemetry/TelemetryService';
import { ALL_TRAFFIC, BUCKET_MS, bucketOf, EVENTS, LATENCY, RESOLUTIONS, SCORE, segmentTag, TARGET, targetFeature } from '../telemetry/constants';
import { ReferenceProfile, StoredSummary, TelemetryStore } from '../telemetry/TelemetryStore';
import { seriesStep } from '../telemetry/steps';
import { StepVerdict, StepVerdicts, storedVerdict, verdictFromStored } from './StepVerdicts';
import { CHANGE_FEED_LOOKBACK_MS } from '../telemetry/TelemetryChanges';

/*
 * Which test decides, by sample size (current window, per feature and segment):
 *   below the minimum  → "insufficient": no verdict either way. The minimum is 25 values for KS
 *                         (numeric features, the score), whose p-value is exact at small samples
 *                         and so valid there, and 100 for chi-square (categorical, the target),
 *                         whose approximation needs expected counts of about five per category.
 *   up to 5,000        → KS or chi-square at the policy's alpha, corrected across the model's
 *                         features (Bonferroni or Benjamini–Hochberg); a rejection warns, and PSI
 *                         above the critical threshold makes it critical.
 *   n > 5,000          → PSI against the policy's thresholds. With this many events a p-value
 *                         flags shifts too small to matter; PSI measures the size of the shift.
 * Beside them on numeric features, from 1,000 values or so: the tail check (mass beyond the
 * reference's 1st/99th percentiles), corrected across features and needing a minimum ratio, so it
 * flags tails that grew, not noise. Jensen–Shannon and Wasserstein are reported, never decide.
 */
export const MIN_SAMPLES = 100;
export const MIN_KS_SAMPLES = 25;
export const LARGE_SAMPLE = 5_000;
/**
 * A contract check fails on a share above its limit carried by at least this many values, so one
 * odd value in a quiet bucket is not a page.
 */
export const MIN_VIOLATING_VALUES = 5;
/** Contract checks cover each 5-minute bucket of at most this much of a window (its end). */
export const CONTRACT_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Without a training label rate, target drift compares with this much matured history. */
export const TARGET_ROLLING_MS = 7 * 24 * 60 * 60 * 1000;

type Group = { segment: string; feature: string; rows: StoredSummary[] };

function iso(ms: number) {
  return new Date(ms).toISOString();
}

/** Closed steps kept per process: ~4,000 steps of 50 features hold some 80 MB at most. */
const STEP_VERDICTS = { maxEntries: 4_000, maxAgeMs: 10 * 60_000 };
/**
 * Verdicts kept in the database are used for this long: every commit deletes those it makes stale,
 * so this only bounds one whose deletion was lost (a replica stopped between commit and deletion).
 */
const KEPT_VERDICT_MAX_AGE_MS = 7 * 86_400_000;
/** How long a series judges steps before letting the event loop answer others. */
const SERIES_SLICE_MS = 15;

/** Drift of a model's traffic: the report of a window, its series over time, one feature's distributions. */
export interface DriftService {
  /** The Model's policy; NotFoundError when the catalog does not know the Model. */
  policyOf(modelRef: string): Promise<ModelPolicy>;
  report(modelRef: string, options?: { version?: string; from?: number; to?: number }): Promise<DriftReport>;
  series(modelRef: string, options: { from: number; to: number; stepMs?: number; version?: string; segment?: string }): Promise<DriftSeries>;
  distribution(modelRef: string, options: { feature: string; version?: string; segment?: string; from?: number; to?: number }): Promise<FeatureDistribution>;
}

/**
 * The signals (feature and check) a model's backtest says never mattered, as `${feature}\u0000${check}`:
 * the report lowers them when the policy's drift.backtest.lowerSeverity asks.
 */
export type LoweredSignals = (modelRef: string, policy: ModelPolicy) => Promise<Set<string>>;

export class DefaultDriftService implements DriftService {
  private readonly stepVerdicts: StepVerdicts;

  constructor(
    private readonly store: TelemetryStore,
    private readonly telemetry: TelemetryService,
    private readonly now: () => number = Date.now,
    private readonly loweredSignals?: LoweredSignals,
  ) {
    this.stepVerdicts = new StepVerdicts({ ...STEP_VERDICTS, now });
    telemetry.changes.onCommit((modelRef, oldestBucket) => this.stepVerdicts.invalidate(modelRef, oldestBucket));
  }

  policyOf(modelRef: string): Promise<ModelPolicy> {
    return this.telemetry.requirePolicy(modelRef);
  }

  async report(modelRef: string, options: { version?: string; from?: number; to?: number } = {}): Promise<DriftReport> {
    const policy = await this.policyOf(modelRef);
    const to = options.to ?? bucketOf(this.now()) + BUCKET_MS;
    const from = options.from ?? to - parseDuration(policy.drift.window);
    // Statistics need each feature's total over the window: whole days and hours are read as one
    // row each. Contract checks look at every 5-minute bucket of the window's last day.
    const long = to - from > CONTRACT_LOOKBACK_MS;
    const rows = await this.store.readSummaries({ modelRef, version: options.version, from, to, resolution: long ? 'coarsest' : 'buckets' });
    const version = options.version ?? busiestVersion(rows);
    const layout = version ? await this.telemetry.layout(modelRef, version) : undefined;
    // KPIs may slice telemetry by more tags than drift does; drift judges its own segments only.
    const driftSegment = (segment: string) => segment === ALL_TRAFFIC || policy.drift.segments.includes(segmentTag(segment));
    const ofLayout = (r: StoredSummary) => r.version === version && r.layoutVersion === (layout?.layoutVersion ?? null) && driftSegment(r.segment);
    const current = rows.filter(ofLayout);
    const buckets = long
      ? (await this.store.readSummaries({ modelRef, version, from: to - CONTRACT_LOOKBACK_MS, to })).filter(ofLayout)
      : current;
    const bucketGroups = new Map(groupRows(buckets).map(g => [`${g.segment}\u0000${g.feature}`, g]));

    // Reference summaries per feature (all traffic; segments are compared with the same reference).
    const profile = layout?.layoutVersion ? await this.store.getReferenceProfile(modelRef, layout.layoutVersion) : undefined;
    const rolling = rollingWindow(policy);
    const { summaries: reference, info: referenceInfo } =
      rolling && version
        ? rollingReference(
            (await this.store.readSummaries({ modelRef, version, segments: [ALL_TRAFFIC], from: from - rolling, to: from, resolution: 'coarsest' })).filter(r => r.layoutVersion === (layout?.layoutVersion ?? null)),
            layout,
            from,
            rolling,
            profile,
          )
        : trainingReference(profile, layout);

    const features: FeatureDrift[] = [];
    const violations: ContractViolation[] = [];
    const ignored = new Set(policy.drift.features.filter(f => f.ignore).map(f => f.name));
    const groups = groupRows(current);
    const eventsBySegment = new Map<string, number>();
    for (const g of groups.filter(x => x.feature === EVENTS)) {
      eventsBySegment.set(g.segment, g.rows.reduce((s, r) => s + (r.summary as EventCounts).n, 0));
    }
    for (const g of groups) {
      if (g.feature === EVENTS || g.feature === LATENCY || ignored.has(g.feature)) continue;
      const spec = layout?.features.get(g.feature);
      const ref = reference.get(g.feature);
      if (g.feature === SCORE) {
        if (ref?.kind === 'log') {
          const cur = mergeRows(g.rows, null) as LogSummary;
          features.push(this.predictionDrift(g.segment, ref, cur, policy));
        }
        continue;
      }
      if (!spec || !ref) continue;
      const merged = mergeRows(g.rows, spec.layout) as NumericSummary | CategoricalSummary;
      features.push(describeFeature(g.feature, g.segment, spec.layout, ref as any, merged, thresholdsOf(policy, g.feature)));
      const inBuckets = bucketGroups.get(`${g.segment}\u0000${g.feature}`);
      if (inBuckets) violations.push(...contractFindings(inBuckets, spec.layout, ref as any, policy).violations);
    }
    const byTest = applyCorrection(features, policy);
    if (policy.drift.backtest.lowerSeverity && this.loweredSignals) {
      lowerSeverities(features, byTest, await this.loweredSignals(modelRef, policy));
    }
    // The target is a family of its own (labels, not inputs): a series, which has no target, then
    // judges every feature as the report does.
    const outcome = evaluationOutcome(policy);
    if (outcome && version) {
      const target = await this.targetDrift(modelRef, version, outcome, from, to, profile, policy);
      applyCorrection([target], policy);
      features.push(target);
    }
    attributeToSegments(features, violations, policy.drift.segments);

    const flagged = features.filter(f => f.flagged);
    let status: Severity = flagged.length ? 'warning' : 'none';
    if (flagged.some(f => f.severity === 'critical')) status = 'critical';
    // "No drift" is a verdict: a window too thin for any (an empty one above all) has none.
    if (!flagged.length && features.every(f => f.severity === 'insufficient')) status = 'insufficient';
    return {
      modelRef,
      version: version ?? null,
      window: { from: iso(from), to: iso(to) },
      reference: referenceInfo,
      alpha: policy.drift.ksAlpha,
      correction: policy.drift.correction,
      segments: [...eventsBySegment.keys()].sort(),
      events: eventsBySegment.get(ALL_TRAFFIC) ?? 0,
      features: features.sort((a, b) => a.segment.localeCompare(b.segment) || a.feature.localeCompare(b.feature)),
      violations: violations.sort((a, b) => a.segment.localeCompare(b.segment) || a.feature.localeCompare(b.feature)),
      status: { drift: status, openViolations: violations.filter(v => v.open && v.flagged).length },
    };
  }

  /**
   * Each feature's drift per step for one version and segment: per step the verdict a report of
   * that step gives (the same statistics, thresholds, reference and correction across features),
   * and the contract checks failed by the stored rows within it. The window is widened to whole
   * steps. Target drift stays in the report (it counts labels from raw events). Closed steps'
   * verdicts are kept (StepVerdicts): a series reads and judges only the steps it has not seen.
   */
  async series(modelRef: string, options: { from: number; to: number; stepMs?: number; version?: string; segment?: string }): Promise<DriftSeries> {
    const policy = await this.policyOf(modelRef);
    if (!(options.from < options.to)) throw new InputError('from must be before to');
    const segment = options.segment ?? ALL_TRAFFIC;
    this.checkSegment(policy, segment);
    const { stepMs, resolution: stepResolution } = seriesStep(options.from, options.to, options.stepMs, MAX_SERIES_POINTS.drift, this.store.finestBucketMs(options.from));
    const rolling = rollingWindow(policy);
    // Rows must fit both the steps and the rolling reference windows that end at each step.
    const resolution = [...RESOLUTIONS].reverse().find(r => r <= stepResolution && stepMs % r === 0 && rolling % r === 0) ?? BUCKET_MS;
    const from = Math.floor(options.from / stepMs) * stepMs;
    const to = Math.ceil(options.to / stepMs) * stepMs;
    const steps = (to - from) / stepMs;
    const version =
      options.version ?? busiestVersion(await this.store.readSummaries({ modelRef, segments: [ALL_TRAFFIC], features: [EVENTS], from, to, resolution: 'coarsest' }));
    const layout = version ? await this.telemetry.layout(modelRef, version) : undefined;
    const layoutVersion = layout?.layoutVersion ?? null;
    const seriesKey = [version ?? '', layoutVersion ?? '', segment, stepMs, JSON.stringify(policy.drift)].join('\u0000');
    const now = this.now();
    const closed = (i: number) => from + (i + 1) * stepMs <= now;
    const verdicts: Array<StepVerdict | undefined> = Array.from({ length: steps }, (_, i) => (closed(i) ? this.stepVerdicts.get(modelRef, seriesKey, from + i * stepMs) : undefined));
    const series = createHash('sha256').update(`${modelRef}\u0000${seriesKey}`).digest('hex');
    await this.loadKeptVerdicts(modelRef, seriesKey, series, from, stepMs, verdicts, closed);
    const firstUnseen = verdicts.findIndex(v => !v);
    if (firstUnseen >= 0) {
      const start = from + firstUnseen * stepMs;
      // A commit announced while these rows are read and judged makes the verdicts of the steps it
      // reached into (and of those after, whose rolling references it changed) not worth keeping.
      const generation = this.telemetry.changes.generation(modelRef);
      const readAt = this.now();
      const judged: Array<{ start: number; end: number; verdict: string }> = [];
      const rows = version
        ? await this.store.readSummaries({ modelRef, version, segments: [...new Set([segment, ALL_TRAFFIC])], from: start - rolling, to, resolution: 'coarsest', maxBucketMs: resolution })
        : [];
      const ofLayout = rows.filter(r => r.layoutVersion === layoutVersion);
      const profile = layoutVersion ? await this.store.getReferenceProfile(modelRef, layoutVersion) : undefined;
      const training = trainingReference(profile, layout);
      // Rows of the segment per step and feature.
      const rowsOfStep = new Map<number, Map<string, StoredSummary[]>>();
      for (const r of ofLayout) {
        if (r.segment !== segment || r.bucketStart < start) continue;
        const i = Math.floor((r.bucketStart - from) / stepMs);
        let byFeature = rowsOfStep.get(i);
        if (!byFeature) rowsOfStep.set(i, (byFeature = new Map()));
        let featureRows = byFeature.get(r.feature);
        if (!featureRows) byFeature.set(r.feature, (featureRows = []));
        featureRows.push(r);
      }
      let sliceStarted = performance.now();
      for (let i = firstUnseen; i < steps; i++) {
        if (verdicts[i]) continue;
        // A long series is judged in slices: other requests (health checks, ingestion) are answered
        // between them instead of waiting for all 61 steps of a 30-day window.
        if (performance.now() - sliceStarted > SERIES_SLICE_MS) {
          await new Promise(resolve => setImmediate(resolve));
          sliceStarted = performance.now();
        }
        const stepStart = from + i * stepMs;
        const reference = rolling && version ? rollingReference(ofLayout, layout, stepStart, rolling, profile) : training;
        verdicts[i] = this.judgeStep(policy, segment, layout, reference, rowsOfStep.get(i) ?? new Map());
        if (stepStart + stepMs <= now && stepStart + stepMs <= this.telemetry.changes.oldestSince(modelRef, generation)) {
          this.stepVerdicts.set(modelRef, seriesKey, stepStart, stepStart + stepMs, verdicts[i]!);
          judged.push({ start: stepStart, end: stepStart + stepMs, verdict: storedVerdict(verdicts[i]!) });
        }
      }
      await this.keepVerdicts(modelRef, series, judged, generation, readAt);
    }
    return foldSteps(modelRef, version, segment, from, stepMs, verdicts as StepVerdict[], layout, policy);
  }

  /**
   * Closed steps' verdicts missing here from the database: judged by another replica, or by this
   * one before a restart. Kept in memory unless a commit announced meanwhile reached into them.
   */
  private async loadKeptVerdicts(
    modelRef: string,
    seriesKey: string,
    series: string,
    from: number,
    stepMs: number,
    verdicts: Array<StepVerdict | undefined>,
    closed: (i: number) => boolean,
  ) {
    const missing = verdicts.flatMap((v, i) => (!v && closed(i) ? [i] : []));
    if (!missing.length) return;
    const generation = this.telemetry.changes.generation(modelRef);
    let kept: Awaited<ReturnType<TelemetryStore['stepVerdicts']>>;
    try {
      kept = await this.store.stepVerdicts(modelRef, series, from + missing[0] * stepMs, from + (missing[missing.length - 1] + 1) * stepMs);
    } catch {
      return; // Judged again below: the database only saves work.
    }
    const untouchedBefore = this.telemetry.changes.oldestSince(modelRef, generation);
    for (const k of kept) {
      const i = (k.start - from) / stepMs;
      if (!Number.isInteger(i) || verdicts[i] || !closed(i) || this.now() - k.computedAt > KEPT_VERDICT_MAX_AGE_MS) continue;
      verdicts[i] = verdictFromStored(k.verdict);
      if (k.start + stepMs <= untouchedBefore) this.stepVerdicts.set(modelRef, seriesKey, k.start, k.start + stepMs, verdicts[i]!);
    }
  }

  /**
   * Keeps newly judged closed steps in the database, then checks that no commit reaching into them
   * was announced since their rows were read (here or, through the change feed, on another
   * replica): one announced before this check is seen by it; one announced after it deletes them
   * itself (TelemetryService announces before it deletes). Live traffic into the open step reaches
   * none of them: a busy model keeps its closed steps.
   */
  private async keepVerdicts(modelRef: string, series: string, judged: Array<{ start: number; end: number; verdict: string }>, generation: number, readAt: number) {
    if (!judged.length) return;
    try {
      await this.store.putStepVerdicts(modelRef, series, judged, readAt);
      const lastEnd = judged[judged.length - 1].end;
      const announced = (await this.store.summaryChanges(readAt - CHANGE_FEED_LOOKBACK_MS)).filter(c => c.modelRef === modelRef).map(c => c.oldestBucket);
      const reached = Math.min(this.telemetry.changes.oldestSince(modelRef, generation), ...announced);
      if (reached < lastEnd) await this.store.dropStepVerdicts(modelRef, Math.max(0, reached));
    } catch {
      // Not kept: judged again when next asked.
    }
  }

  /** One step of a series: each feature's verdict (corrected across features) and contract findings. */
  private judgeStep(policy: ModelPolicy, segment: string, layout: Layout | undefined, ref: Reference, byFeature: Map<string, StoredSummary[]>): StepVerdict {
    const ignored = new Set(policy.drift.features.filter(f => f.ignore).map(f => f.name));
    const present = [...byFeature.keys()].filter(f => !ignored.has(f) && (f === SCORE || layout?.features.has(f))).sort();
    const found: FeatureDrift[] = [];
    const hits = new Map<string, ContractCheck[]>();
    const violations: ContractViolation[] = [];
    const checked: string[] = [];
    for (const feature of present) {
      const stepRows = byFeature.get(feature)!;
      const reference = ref.summaries.get(feature);
      if (!reference) continue;
      if (feature === SCORE) {
        if (reference.kind === 'log') found.push(this.predictionDrift(segment, reference, mergeRows(stepRows, null) as LogSummary, policy));
        continue;
      }
      const spec = layout!.features.get(feature)!;
      found.push(describeFeature(feature, segment, spec.layout, reference as any, mergeRows(stepRows, spec.layout) as any, thresholdsOf(policy, feature)));
      const findings = contractFindings({ segment, feature, rows: stepRows }, spec.layout, reference as any, policy);
      hits.set(feature, [...new Set(findings.hits.map(h => h.check))]);
      if (findings.decided) checked.push(feature);
      violations.push(...findings.violations);
    }
    const byTest = applyCorrection(found, policy);
    const alarms = new Map(found.map(f => [f.feature, [...(byTest.has(f) ? [f.test as DriftAlarm] : []), ...(f.tail?.flagged ? ['tail' as const] : [])]]));
    return {
      events: (byFeature.get(EVENTS) ?? []).reduce((n, r) => n + (r.summary as EventCounts).n, 0),
      reference: ref.info,
      present,
      drift: new Map(found.map(f => [f.feature, f])),
      alarms,
      hits,
      violations,
      checked,
    };
  }

  /**
   * One feature's reference and current distributions over a window (as `report` takes it), with
   * the verdict the report gives that feature and segment.
   */
  async distribution(modelRef: string, options: { feature: string; version?: string; segment?: string; from?: number; to?: number }): Promise<FeatureDistribution> {
    const policy = await this.policyOf(modelRef);
    const segment = options.segment ?? ALL_TRAFFIC;
    this.checkSegment(policy, segment);
    const report = await this.report(modelRef, options);
    const drift = report.features.find(f => f.feature === options.feature && f.segment === segment);
    if (!drift || drift.kind === 'target') {
      throw new NotFoundError(`No drift of feature "${options.feature}" in segment ${segment} of ${modelRef} in this window`);
    }
    const from = Date.parse(report.window.from);
    const to = Date.parse(report.window.to);
    const layout = await this.telemetry.layout(modelRef, report.version!);
    const read = (a: number, b: number, segments: string[]) =>
      this.store
        .readSummaries({ modelRef, version: report.version!, segments, features: [options.feature], from: a, to: b, resolution: 'coarsest' })
        .then(rows => rows.filter(r => r.layoutVersion === (layout.layoutVersion ?? null)));
    const profile = layout.layoutVersion ? await this.store.getReferenceProfile(modelRef, layout.layoutVersion) : undefined;
    const reference =
      report.reference.kind === 'rolling'
        ? rollingReference(await read(Date.parse(report.reference.from), from, [ALL_TRAFFIC]), layout, from, from - Date.parse(report.reference.from), profile)
        : trainingReference(profile, layout);
    const spec = layout.features.get(options.feature);
    const current = mergeRows(await read(from, to, [segment]), spec?.layout ?? null) as AnySummary;
    return {
      modelRef,
      version: report.version,
      segment,
      feature: options.feature,
      window: report.window,
      drift,
      bins: distributionBins(reference.summaries.get(options.feature)!, current, spec?.layout ?? null),
    };
  }

  private checkSegment(policy: ModelPolicy, segment: string) {
    const tag = segmentTag(segment);
    if (segment !== ALL_TRAFFIC && (!policy.drift.segments.includes(tag) || segment.length === tag.length + 1)) {
      throw new InputError(`segment: "${segment}" is not "${ALL_TRAFFIC}" or tag=value of the model's drift segments (${policy.drift.segments.join(', ') || 'none'})`);
    }
  }

  /**
   * Target drift: the rate of positive labels of the model's outcome on matured predictions (the
   * window moved back by the label maturity) against the training profile's rate, else against the
   * model's seven days before. Judged like a categorical feature (chi-square, then PSI).
   */
  private async targetDrift(
    modelRef: string,
    version: string,
    outcome: string,
    from: number,
    to: number,
    profile: ReferenceProfile | undefined,
    policy: ModelPolicy,
  ): Promise<FeatureDrift> {
    const maturity = parseDuration(policy.retraining.labelMaturity);
    const current = await this.store.labelCounts(modelRef, version, outcome, from - maturity, to - maturity);
    const trained = profile?.features.find(f => f.feature === targetFeature(outcome));
    const reference = trained
      ? (decodeSummary(trained.summary) as CategoricalSummary)
      : labelSummary(await this.store.labelCounts(modelRef, undefined, outcome, from - maturity - TARGET_ROLLING_MS, from - maturity));
    const rate = (s: CategoricalSummary) => (s.n ? (s.counts.get('positive') ?? 0) / s.n : null);
    const cur = labelSummary(current);
    const drift = describeFeature(TARGET, ALL_TRAFFIC, null, reference, cur, policy.drift.psi);
    return { ...drift, kind: 'target', outcome, rates: { current: rate(cur), reference: rate(reference) } };
  }

  private predictionDrift(segment: string, ref: LogSummary, cur: LogSummary, policy: ModelPolicy): FeatureDrift {
    const thresholds = policy.drift.psi;
    const base = { feature: SCORE, segment, kind: 'prediction' as const, n: cur.n, referenceN: ref.n, thresholds, flagged: false, wasserstein: null };
    if (cur.n < MIN_KS_SAMPLES || ref.n < MIN_KS_SAMPLES) {
      return { ...base, test: 'none', severity: 'insufficient', psi: null, ksStatistic: null, pValue: null, pValueMethod: null, chiSquare: null, tail: null, jensenShannon: null };
    }
    const stats = logDrift(ref, cur);
    return {
      ...base,
      ...verdict(cur.n, stats.psi, 'ks', thresholds),
      psi: stats.psi,
      ksStatistic: stats.ks.statistic,
      pValue: stats.ks.pValue,
      pValueMethod: stats.ks.method,
      chiSquare: null,
      tail: null,
      jensenShannon: stats.jensenShannon,
    };
  }
}

function thresholdsOf(policy: ModelPolicy, feature: string) {
  return feature === SCORE ? policy.drift.psi : policy.drift.features.find(f => f.name === feature)?.psi ?? policy.drift.psi;
}

/** A series from its steps' verdicts: cells per feature, and contract violations followed across steps. */
function foldSteps(
  modelRef: string,
  version: string | undefined,
  segment: string,
  from: number,
  stepMs: number,
  verdicts: StepVerdict[],
  layout: Layout | undefined,
  policy: ModelPolicy,
): DriftSeries {
  const judged = [...new Set(verdicts.flatMap(v => v.present))].sort();
  const kinds = new Map<string, FeatureDrift['kind']>();
  const violations = new Map<string, ContractViolation>();
  const lastStepWithData = new Map<string, number>();
  const openAt = new Map<string, number>();
  verdicts.forEach((step, i) => {
    for (const feature of step.checked) lastStepWithData.set(feature, i);
    for (const f of step.drift.values()) kinds.set(f.feature, f.kind);
    for (const v of step.violations) {
      const key = `${v.feature}\u0000${v.check}`;
      const seen = violations.get(key);
      if (seen) Object.assign(seen, { value: v.value, threshold: v.threshold, lastBucket: v.lastBucket });
      else violations.set(key, { ...v });
      if (v.open) openAt.set(key, i);
    }
  });
  // Open: still failing in the feature's last step with data.
  for (const [key, v] of violations) v.open = openAt.get(key) !== undefined && openAt.get(key) === lastStepWithData.get(v.feature);
  return {
    modelRef,
    version: version ?? null,
    segment,
    from: iso(from),
    to: iso(from + verdicts.length * stepMs),
    stepMs,
    reference: verdicts[0].reference,
    steps: verdicts.map((step, i) => ({ start: iso(from + i * stepMs), end: iso(from + (i + 1) * stepMs), events: step.events })),
    features: judged.map(feature => ({
      feature,
      kind: kinds.get(feature) ?? (feature === SCORE ? 'prediction' : layout!.features.get(feature)!.kind),
      thresholds: thresholdsOf(policy, feature),
      cells: verdicts.map(step => {
        const f = step.drift.get(feature);
        return {
          n: f?.n ?? 0,
          test: f?.test ?? 'none',
          severity: f?.severity ?? 'insufficient',
          psi: f?.psi ?? null,
          pValue: f?.pValue ?? null,
          jensenShannon: f?.jensenShannon ?? null,
          alarms: step.alarms.get(feature) ?? [],
          violations: step.hits.get(feature) ?? [],
        };
      }),
    })),
    violations: [...violations.values()].sort((a, b) => a.feature.localeCompare(b.feature) || a.check.localeCompare(b.check)),
  };
}

function busiestVersion(rows: StoredSummary[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.feature === EVENTS && r.segment === ALL_TRAFFIC) counts.set(r.version, (counts.get(r.version) ?? 0) + (r.summary as EventCounts).n);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0]?.[0];
}

function groupRows(rows: StoredSummary[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const key = `${r.segment}\u0000${r.feature}`;
    const g = groups.get(key) ?? { segment: r.segment, feature: r.feature, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  for (const g of groups.values()) g.rows.sort((a, b) => a.bucketStart - b.bucketStart);
  return [...groups.values()];
}

function decode(summary: EncodedSummary, layout: NumericLayout | null): AnySummary {
  return decodeSummary(summary, layout ? layout.edges.length + 1 : undefined);
}

function mergeRows(rows: StoredSummary[], layout: NumericLayout | null): AnySummary | EventCounts | undefined {
  if (!rows.length) return undefined;
  if (rows[0].summary.kind === 'events') {
    return rows.reduce<EventCounts>((acc, r) => {
      const s = r.summary as EventCounts;
      return { kind: 'events', n: acc.n + s.n, errors: acc.errors + s.errors };
    }, { kind: 'events', n: 0, errors: 0 });
  }
  const merged = decode(rows[0].summary, layout);
  for (let i = 1; i < rows.length; i++) mergeInto(merged, decode(rows[i].summary, layout));
  return merged;
}

type Reference = { summaries: Map<string, AnySummary>; info: DriftReport['reference'] };
type Layout = Awaited<ReturnType<TelemetryService['layout']>>;

function rollingWindow(policy: ModelPolicy) {
  return policy.drift.reference !== 'training' ? parseDuration(policy.drift.reference.rollingWindow) : 0;
}

function trainingReference(profile: ReferenceProfile | undefined, layout: Layout | undefined): Reference {
  const summaries = new Map<string, AnySummary>();
  for (const f of profile?.features ?? []) summaries.set(f.feature, decodeSummary(f.summary, f.layout ? f.layout.edges.length + 1 : undefined));
  return { summaries, info: { kind: 'training', version: layout?.layoutVersion ?? null } };
}

/**
 * The rolling reference of a window starting at `from`: all-traffic rows of [from − rolling, from)
 * (taken from `rows`, which may hold more), else the training profile when they hold nothing.
 */
function rollingReference(rows: StoredSummary[], layout: Layout | undefined, from: number, rolling: number, profile: ReferenceProfile | undefined): Reference {
  const summaries = new Map<string, AnySummary>();
  for (const g of groupRows(rows.filter(r => r.segment === ALL_TRAFFIC && r.bucketStart >= from - rolling && r.bucketStart < from))) {
    const merged = mergeRows(g.rows, layout?.features.get(g.feature)?.layout ?? null);
    if (merged && merged.kind !== 'events') summaries.set(g.feature, merged);
  }
  return summaries.size ? { summaries, info: { kind: 'rolling', from: iso(from - rolling), to: iso(from) } } : trainingReference(profile, layout);
}

function verdict(
  n: number,
  psi: number,
  smallSampleTest: 'ks' | 'chi-square',
  thresholds: { warning: number; critical: number },
): Pick<FeatureDrift, 'test' | 'severity' | 'flagged'> {
  if (n > LARGE_SAMPLE) {
    let severity: Severity = psi > thresholds.warning ? 'warning' : 'none';
    if (psi > thresholds.critical) severity = 'critical';
    return { test: 'psi', severity, flagged: severity !== 'none' };
  }
  // Provisional: the p-value is judged after correction across features (applyCorrection).
  return { test: smallSampleTest, severity: 'none', flagged: false };
}

function describeFeature(
  feature: string,
  segment: string,
  layout: NumericLayout | null,
  ref: NumericSummary | CategoricalSummary,
  cur: NumericSummary | CategoricalSummary,
  thresholds: { warning: number; critical: number },
): FeatureDrift {
  const base = { feature, segment, n: cur.n, referenceN: ref.n, thresholds, flagged: false };
  const minimum = cur.kind === 'numeric' ? MIN_KS_SAMPLES : MIN_SAMPLES;
  if (cur.n < minimum || ref.n < minimum) {
    return { ...base, kind: cur.kind, test: 'none', severity: 'insufficient', psi: null, ksStatistic: null, pValue: null, pValueMethod: null, chiSquare: null, tail: null, jensenShannon: null, wasserstein: null };
  }
  if (cur.kind === 'numeric') {
    const s = numericDrift(layout!, ref as NumericSummary, cur);
    const tail = tailCheck(layout!, ref as NumericSummary, cur);
    return {
      ...base,
      kind: 'numeric',
      ...verdict(cur.n, s.psi, 'ks', thresholds),
      psi: s.psi,
      ksStatistic: s.ks.statistic,
      pValue: s.ks.pValue,
      pValueMethod: s.ks.method,
      chiSquare: null,
      // Judged after correction across features (applyCorrection), like the KS p-values.
      tail: tail && { ...tail, severity: 'none', flagged: false },
      jensenShannon: s.jensenShannon,
      wasserstein: Number.isFinite(s.wasserstein) ? s.wasserstein : null,
    };
  }
  const s = categoricalDrift(ref as CategoricalSummary, cur);
  return {
    ...base,
    kind: 'categorical',
    ...verdict(cur.n, s.psi, 'chi-square', thresholds),
    psi: s.psi,
    ksStatistic: null,
    pValue: s.chiSquare.pValue,
    pValueMethod: null,
    chiSquare: { statistic: s.chiSquare.statistic, degreesOfFreedom: s.chiSquare.degreesOfFreedom },
    tail: null,
    jensenShannon: s.jensenShannon,
    wasserstein: null,
    unseenCategories: s.unseenCategories,
  };
}

/**
 * The verdicts a drift report gives a window's features, from their reference and current summaries
 * (statistics, the policy's thresholds, correction across features, tail checks): what the report
 * and the Evidently benchmark (bench/evidently.ts) judge with.
 */
export function judgeFeatureDrift(
  policy: ModelPolicy,
  segment: string,
  inputs: Array<{ feature: string; layout: NumericLayout | null; reference: NumericSummary | CategoricalSummary; current: NumericSummary | CategoricalSummary }>,
): FeatureDrift[] {
  const found = inputs.map(i => describeFeature(i.feature, segment, i.layout, i.reference, i.current, thresholdsOf(policy, i.feature)));
  applyCorrection(found, policy);
  return found;
}

/** Judges small-sample p-values per segment, corrected across that segment's tests. */
const LOWER: Record<Severity, Severity> = { critical: 'warning', warning: 'none', none: 'none', insufficient: 'insufficient' };

/**
 * One tier lower for a flagged feature every one of whose alarming checks is a lowered signal; one
 * check that still matters keeps its severity.
 */
function lowerSeverities(features: FeatureDrift[], byTest: Set<FeatureDrift>, lowered: Set<string>) {
  for (const f of features) {
    if (!f.flagged) continue;
    const alarms: DriftAlarm[] = [...(byTest.has(f) ? [f.test as DriftAlarm] : []), ...(f.tail?.flagged ? ['tail' as const] : [])];
    if (!alarms.length || !alarms.every(check => lowered.has(`${f.feature}\u0000${check}`))) continue;
    f.severity = LOWER[f.severity];
    f.flagged = f.severity !== 'none';
    f.loweredBy = alarms;
  }
}

/** Returns the features their distribution test flagged (the tail checks may flag more). */
function applyCorrection(features: FeatureDrift[], policy: ModelPolicy): Set<FeatureDrift> {
  const bySegment = new Map<string, FeatureDrift[]>();
  for (const f of features) {
    if ((f.test === 'ks' || f.test === 'chi-square') && f.pValue !== null) {
      bySegment.set(f.segment, [...(bySegment.get(f.segment) ?? []), f]);
    }
  }
  for (const tested of bySegment.values()) {
    const rejected = rejectedHypotheses(tested.map(f => f.pValue!), policy.drift.ksAlpha, policy.drift.correction);
    tested.forEach((f, i) => {
      if (!rejected[i]) return;
      f.severity = f.psi !== null && f.psi > f.thresholds.critical ? 'critical' : 'warning';
      f.flagged = true;
    });
  }
  const byTest = new Set(features.filter(f => f.flagged));
  judgeTails(features, policy);
  return byTest;
}

const SEVERITY_RANK: Record<Severity, number> = { insufficient: 0, none: 1, warning: 2, critical: 3 };

/**
 * The tail checks of each segment: every side of every feature is one hypothesis (one-sided: did
 * that tail get heavier?), corrected across them at the policy's tail alpha (with no correction
 * asked for, still Bonferroni over a feature's two sides). A side warns when it is rejected and its
 * share is at least `warningRatio` times the reference's; each side is judged on its own, so a
 * significant but small change on one side cannot hide a large one on the other. A flagged tail
 * raises the feature's severity, never lowers it.
 */
function judgeTails(features: FeatureDrift[], policy: ModelPolicy) {
  const { alpha, warningRatio, criticalRatio } = policy.drift.tail;
  const bySegment = new Map<string, FeatureDrift[]>();
  for (const f of features) if (f.tail) bySegment.set(f.segment, [...(bySegment.get(f.segment) ?? []), f]);
  for (const tested of bySegment.values()) {
    const sides = tested.flatMap(f => [f.tail!.lower, f.tail!.upper]);
    const rejected =
      policy.drift.correction === 'none'
        ? sides.map(side => 2 * side.pValue < alpha)
        : rejectedHypotheses(sides.map(side => side.pValue), alpha, policy.drift.correction);
    tested.forEach((f, i) => {
      const tail = f.tail!;
      const grown = [tail.lower, tail.upper].filter((side, k) => rejected[2 * i + k] && side.ratio >= warningRatio);
      if (!grown.length) return;
      tail.severity = grown.some(side => side.ratio >= criticalRatio) ? 'critical' : 'warning';
      tail.flagged = true;
      if (SEVERITY_RANK[tail.severity] > SEVERITY_RANK[f.severity]) f.severity = tail.severity;
      f.flagged = true;
    });
  }
}

/**
 * The contract checks each stored row of a feature fails (`hits`), and the violations they make:
 * each check's first and last failing row, open when the last is the latest row that could fail
 * (one with at least MIN_VIOLATING_VALUES values: a bucket just begun does not close a violation).
 */
function contractFindings(
  group: Group,
  layout: NumericLayout | null,
  ref: NumericSummary | CategoricalSummary,
  policy: ModelPolicy,
): { violations: ContractViolation[]; hits: Array<{ bucketStart: number; check: ContractCheck }>; decided: boolean } {
  const limits = policy.drift.contract;
  const refTotal = ref.n + ref.nulls;
  const refNullShare = refTotal ? ref.nulls / refTotal : 0;
  const found = new Map<ContractCheck, ContractViolation>();
  const hits: Array<{ bucketStart: number; check: ContractCheck }> = [];
  let latestBucket = -1;
  for (const row of group.rows) {
    const s = decode(row.summary, layout) as NumericSummary | CategoricalSummary;
    const total = s.n + s.nulls + s.missing + s.typeMismatches;
    if (total < MIN_VIOLATING_VALUES) continue;
    latestBucket = row.bucketStart;
    // [check, offending values, out of, limit on the share]
    const checks: Array<[ContractCheck, number, number, number]> = [
      ['missing-feature', s.missing, total, limits.maxNullRate],
      ['null-spike', s.nulls, total, refNullShare + limits.maxNullRate],
      ['type-change', s.typeMismatches, total, limits.maxUnseenCategoryShare],
    ];
    if (s.kind === 'categorical') {
      let unseen = 0;
      for (const [category, count] of s.counts) if (!(ref as CategoricalSummary).counts.has(category)) unseen += count;
      checks.push(['unseen-categories', unseen, s.n, limits.maxUnseenCategoryShare]);
    } else {
      checks.push(['out-of-range', s.belowRange + s.aboveRange, s.n, limits.maxOutOfRangeShare]);
    }
    for (const [check, offending, outOf, threshold] of checks) {
      const value = outOf ? offending / outOf : 0;
      if (value <= threshold || offending < MIN_VIOLATING_VALUES) continue;
      hits.push({ bucketStart: row.bucketStart, check });
      const bucket = iso(row.bucketStart);
      const v = found.get(check);
      if (v) Object.assign(v, { value, threshold, lastBucket: bucket });
      else found.set(check, { feature: group.feature, segment: group.segment, check, value, threshold, firstBucket: bucket, lastBucket: bucket, open: false, flagged: true });
    }
  }
  const latest = latestBucket >= 0 ? iso(latestBucket) : '';
  return { violations: [...found.values()].map(v => ({ ...v, open: v.lastBucket === latest })), hits, decided: latestBucket >= 0 };
}

/**
 * One finding, one alarm. A finding on all traffic that some values of a segment dimension share
 * and others do not is that segment's finding (the seed: an event format change on Android only):
 * the segment stays flagged and all traffic points at it. A finding every segment shares is all
 * traffic's: the segments point at it instead.
 */
function attributeToSegments(features: FeatureDrift[], violations: ContractViolation[], dimensions: string[]) {
  const explain = <T extends { feature: string; segment: string; flagged: boolean; attributedTo?: string[] }>(
    items: T[],
    same: (a: T, b: T) => boolean,
    clean: (dimension: string, overall: T) => boolean,
  ) => {
    for (const overall of items.filter(i => i.segment === ALL_TRAFFIC && i.flagged)) {
      for (const dim of dimensions) {
        const flaggedValues = items.filter(i => i.segment.startsWith(`${dim}=`) && i.flagged && same(i, overall));
        if (flaggedValues.length && clean(dim, overall)) {
          overall.flagged = false;
          overall.attributedTo = flaggedValues.map(i => i.segment).sort();
          break;
        }
      }
      if (overall.flagged) {
        for (const i of items.filter(x => x.segment !== ALL_TRAFFIC && x.flagged && same(x, overall))) {
          i.flagged = false;
          i.attributedTo = [ALL_TRAFFIC];
        }
      }
    }
  };
  explain(
    features,
    (a, b) => a.feature === b.feature,
    (dim, overall) => features.some(i => i.feature === overall.feature && i.segment.startsWith(`${dim}=`) && !i.flagged && i.severity !== 'insufficient'),
  );
  explain(
    violations,
    (a, b) => a.feature === b.feature && a.check === b.check,
    (dim, overall) =>
      features.some(i => i.feature === overall.feature && i.segment.startsWith(`${dim}=`) && i.severity !== 'insufficient') &&
      features
        .filter(i => i.feature === overall.feature && i.segment.startsWith(`${dim}=`))
        .some(i => !violations.some(v => v.segment === i.segment && v.feature === i.feature && v.check === overall.check)),
  );
}

/** At most this many bars in a distribution (categories beyond it are "other"). */
const MAX_BINS = 30;

const shareOf = (count: number, total: number) => (total ? count / total : 0);
// Bin edges as people read them (no exponents), the portal's and Grafana's formatter.
const compact = (x: number) => formatNumber(x);

/** The bins of a reference and a current summary of one feature, as shares of each. */
export function distributionBins(reference: AnySummary, current: AnySummary | undefined, layout: NumericLayout | null): DistributionBin[] {
  if (reference.kind === 'numeric' && layout) {
    const cur = current as NumericSummary | undefined;
    const edges = layout.edges;
    // The layout's bins are quantiles of the training data (often a hundred): consecutive bins are
    // joined into at most MAX_BINS bars, each still a whole number of bins (edges stay edges).
    const bins = edges.length + 1;
    const width = Math.ceil(bins / MAX_BINS);
    const bars: DistributionBin[] = [];
    for (let first = 0; first < bins; first += width) {
      const last = Math.min(first + width, bins) - 1;
      const lower = first === 0 ? null : edges[first - 1];
      const upper = last === edges.length ? null : edges[last];
      let label = '';
      if (lower === null) label = `≤ ${compact(upper!)}`;
      else if (upper === null) label = `> ${compact(lower)}`;
      else label = `(${compact(lower)}, ${compact(upper)}]`;
      let referenceCount = 0;
      let currentCount = 0;
      for (let i = first; i <= last; i++) {
        referenceCount += reference.counts[i] ?? 0;
        currentCount += cur?.counts[i] ?? 0;
      }
      bars.push({ label, lower, upper, reference: shareOf(referenceCount, reference.n), current: shareOf(currentCount, cur?.n ?? 0) });
    }
    return bars;
  }
  if (reference.kind === 'categorical') {
    const cur = current as CategoricalSummary | undefined;
    const categories = new Set([...reference.counts.keys(), ...(cur?.counts.keys() ?? [])]);
    const bins = [...categories].map(label => ({
      label,
      lower: null,
      upper: null,
      reference: shareOf(reference.counts.get(label) ?? 0, reference.n),
      current: shareOf(cur?.counts.get(label) ?? 0, cur?.n ?? 0),
    }));
    bins.sort((a, b) => b.reference + b.current - (a.reference + a.current) || a.label.localeCompare(b.label));
    if (bins.length <= MAX_BINS) return bins;
    const rest = bins.slice(MAX_BINS - 1);
    return [
      ...bins.slice(0, MAX_BINS - 1),
      { label: `other (${rest.length})`, lower: null, upper: null, reference: rest.reduce((t, b) => t + b.reference, 0), current: rest.reduce((t, b) => t + b.current, 0) },
    ];
  }
  // Log-spaced summaries (the score): consecutive bins joined into at most MAX_BINS bars.
  const ref = reference as LogSummary;
  const cur = current as LogSummary | undefined;
  const indices = [...ref.counts.keys(), ...(cur?.counts.keys() ?? [])];
  if (!indices.length) return [];
  const low = Math.min(...indices);
  const width = Math.max(1, Math.ceil((Math.max(...indices) - low + 1) / MAX_BINS));
  const bars = new Map<number, DistributionBin>();
  const add = (summary: LogSummary | undefined, side: 'reference' | 'current') => {
    for (const [index, count] of summary?.counts ?? []) {
      const bar = Math.floor((index - low) / width);
      const lower = logBinUpper(low + bar * width - 1);
      const upper = logBinUpper(low + (bar + 1) * width - 1);
      const bin = bars.get(bar) ?? { label: `(${compact(lower)}, ${compact(upper)}]`, lower, upper, reference: 0, current: 0 };
      bin[side] += shareOf(count, summary!.n);
      bars.set(bar, bin);
    }
  };
  add(ref, 'reference');
  add(cur, 'current');
  const zeros = ref.zeros || cur?.zeros ? [{ label: '0', lower: null, upper: 0, reference: shareOf(ref.zeros, ref.n), current: shareOf(cur?.zeros ?? 0, cur?.n ?? 0) }] : [];
  return [...zeros, ...[...bars.entries()].sort((a, b) => a[0] - b[0]).map(([, bin]) => bin)];
}
