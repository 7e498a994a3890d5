import { formatCount, formatDuration, formatPercent, formatPValue, parseDuration, RolloutCheck } from '@modelrails/plugin-mlops-common';
import { twoProportionTest } from './canaryStats';
import { RolloutPolicy } from './RolloutStore';

/** What one version did in the analysed window. */
export type ArmMetrics = {
  /** Predictions served. */
  n: number;
  errors: number;
  /** From the log-spaced latency summaries (within 1 % relative). */
  p99LatencyMs: number | null;
  /** The KPI's numerator: predictions with a positive outcome of the KPI's name. */
  kpiPositives: number;
  /** The KPI's denominator: predictions whose outcomes are counted. */
  kpiN: number;
};

/** Champion and challenger answering the same requests (shadow). */
export type ShadowMetrics = {
  pairs: number;
  agreement: number | null;
  rankCorrelation: number | null;
  /** PSI of the challenger's scores against the champion's. */
  predictionPsi: number | null;
  championN: number;
  challengerN: number;
};

export type Verdict = 'advance' | 'hold' | 'rollback';

/** Below this many predictions a p99 says little: the latency check waits. */
const MIN_LATENCY_SAMPLES = 100;

// People read these details on the portal and in Grafana: the shared formatter, so they match the tables.
const pct = (x: number) => formatPercent(x);

/** The step's verdict from its checks: any failure rolls back; all passing advances. */
export function verdictOf(checks: RolloutCheck[]): Verdict {
  if (checks.some(c => c.verdict === 'fail')) return 'rollback';
  return checks.every(c => c.verdict === 'pass') ? 'advance' : 'hold';
}

/** The first failing check as the "why it rolled back" headline. */
export function headlineOf(checks: RolloutCheck[], where: string): string | null {
  const failed = checks.find(c => c.verdict === 'fail');
  return failed ? `rolled back at ${where}: ${failed.detail}` : null;
}

function durationCheck(elapsedMs: number, minDuration: string, n: { championN: number; challengerN: number }): RolloutCheck {
  const need = parseDuration(minDuration);
  return {
    check: 'duration',
    verdict: elapsedMs >= need ? 'pass' : 'inconclusive',
    value: elapsedMs / 1000,
    threshold: need / 1000,
    comparator: '>=',
    ...n,
    detail: `${formatDuration(Math.floor(elapsedMs / 1000) * 1000)} of at least ${formatDuration(need)}`,
  };
}

function samplesCheck(have: number, need: number, n: { championN: number; challengerN: number }, what: string): RolloutCheck {
  return {
    check: 'samples',
    verdict: have >= need ? 'pass' : 'inconclusive',
    value: have,
    threshold: need,
    comparator: '>=',
    ...n,
    detail: `${formatCount(have)} ${what} of at least ${formatCount(need)}`,
  };
}

/** The checks of a canary step: error rate, p99 latency, the KPI against the champion, samples, duration. */
export function canaryChecks(
  policy: RolloutPolicy,
  step: { minDuration: string; minSamples: number },
  champion: ArmMetrics,
  challenger: ArmMetrics,
  elapsedMs: number,
): RolloutCheck[] {
  return [
    ...armChecks(policy, step.minSamples, champion, challenger),
    durationCheck(elapsedMs, step.minDuration, { championN: champion.n, challengerN: challenger.n }),
  ];
}

/** Champion against challenger over a window, without a step's duration: what the judge endpoint answers. */
export function armChecks(policy: RolloutPolicy, minSamples: number, champion: ArmMetrics, challenger: ArmMetrics): RolloutCheck[] {
  const a = policy.analysis;
  const n = { championN: champion.n, challengerN: challenger.n };
  const checks: RolloutCheck[] = [];

  const errorRate = challenger.n ? challenger.errors / challenger.n : null;
  // Before the sample is complete, more errors than the whole sample could tolerate fail at once:
  // no need to wait for a broken build to serve its minimum.
  const hopeless = challenger.n < minSamples && challenger.errors > a.maxErrorRate * minSamples;
  let errorVerdict: RolloutCheck['verdict'] = 'inconclusive';
  if (hopeless || (challenger.n >= minSamples && errorRate! > a.maxErrorRate)) errorVerdict = 'fail';
  else if (challenger.n >= minSamples) errorVerdict = 'pass';
  checks.push({
    check: 'error-rate',
    verdict: errorVerdict,
    value: errorRate,
    threshold: a.maxErrorRate,
    comparator: '<=',
    championValue: champion.n ? champion.errors / champion.n : null,
    ...n,
    detail: errorRate === null ? 'no predictions yet' : `error rate ${pct(errorRate)} (${challenger.errors} of ${challenger.n}) vs at most ${pct(a.maxErrorRate)}`,
  });

  const p99 = challenger.p99LatencyMs;
  let latencyVerdict: RolloutCheck['verdict'] = 'inconclusive';
  if (p99 !== null && challenger.n >= MIN_LATENCY_SAMPLES) latencyVerdict = p99 > a.maxP99LatencyMs ? 'fail' : 'pass';
  checks.push({
    check: 'p99-latency',
    verdict: latencyVerdict,
    value: p99,
    threshold: a.maxP99LatencyMs,
    comparator: '<=',
    championValue: champion.p99LatencyMs,
    ...n,
    detail: p99 === null ? 'no latencies yet' : `p99 latency ${p99.toFixed(1)} ms vs a budget of ${a.maxP99LatencyMs} ms`,
  });

  checks.push(kpiCheck(policy, minSamples, champion, challenger));
  checks.push(samplesCheck(challenger.n, minSamples, n, 'challenger predictions'));
  return checks;
}

/**
 * The business KPI (a share of predictions) by a pooled two-proportion test, one-sided in the
 * KPI's bad direction: a relative worsening (a drop, or a rise for a lower-is-better KPI) of at
 * least `maxKpiRelativeDrop` at p < `significance` fails; a smaller worsening (or an improvement)
 * passes; a larger but not yet significant one keeps collecting. Fewer than `minSamples`
 * predictions on either side is inconclusive, never a pass.
 */
export function kpiCheck(policy: RolloutPolicy, minSamples: number, champion: ArmMetrics, challenger: ArmMetrics): RolloutCheck {
  const a = policy.analysis;
  const lowerIsBetter = policy.kpiDefinition.direction === 'lower-is-better';
  const base = {
    check: 'kpi' as const,
    threshold: lowerIsBetter ? a.maxKpiRelativeDrop : -a.maxKpiRelativeDrop,
    comparator: lowerIsBetter ? ('<=' as const) : ('>=' as const),
    championN: champion.kpiN,
    challengerN: challenger.kpiN,
  };
  if (champion.kpiN < minSamples || challenger.kpiN < minSamples || champion.kpiPositives === 0) {
    return {
      ...base,
      verdict: 'inconclusive',
      value: null,
      championValue: champion.kpiN ? champion.kpiPositives / champion.kpiN : null,
      detail: `${a.kpi}: ${challenger.kpiN} challenger and ${champion.kpiN} champion predictions, at least ${minSamples} each needed`,
    };
  }
  const t = twoProportionTest(champion.kpiPositives, champion.kpiN, challenger.kpiPositives, challenger.kpiN);
  const worsening = lowerIsBetter ? t.relativeDifference : -t.relativeDifference;
  const pWorse = lowerIsBetter ? t.pHigher : t.pLower;
  let verdict: RolloutCheck['verdict'] = 'pass';
  if (worsening >= a.maxKpiRelativeDrop) verdict = pWorse < a.significance ? 'fail' : 'collecting';
  const change = formatPercent(t.relativeDifference, { signed: true });
  return {
    ...base,
    verdict,
    value: t.relativeDifference,
    championValue: t.championRate,
    pValue: pWorse,
    interval: t.interval,
    detail: `${a.kpi} ${pct(t.challengerRate)} vs ${pct(t.championRate)} (${change}, p ${pWorse < 0.001 ? formatPValue(pWorse) : `= ${formatPValue(pWorse)}`}); rolls back on a ${lowerIsBetter ? 'rise' : 'drop'} of ${pct(a.maxKpiRelativeDrop)} at p < ${a.significance}`,
  };
}

/** The checks of shadow: agreement, rank correlation and prediction PSI against the champion. */
export function shadowChecks(policy: RolloutPolicy, shadow: ShadowMetrics, elapsedMs: number): RolloutCheck[] {
  const s = policy.shadow;
  const n = { championN: shadow.championN, challengerN: shadow.challengerN };
  const enough = shadow.pairs >= s.minSamples;
  const judge = (value: number | null, ok: (v: number) => boolean): RolloutCheck['verdict'] => {
    if (value === null || !enough) return 'inconclusive';
    return ok(value) ? 'pass' : 'fail';
  };
  return [
    {
      check: 'agreement',
      verdict: judge(shadow.agreement, v => v >= s.minAgreement),
      value: shadow.agreement,
      threshold: s.minAgreement,
      comparator: '>=',
      ...n,
      detail: shadow.agreement === null ? 'no paired predictions yet' : `agreement ${pct(shadow.agreement)} over ${shadow.pairs} requests vs at least ${pct(s.minAgreement)}`,
    },
    {
      check: 'rank-correlation',
      verdict: judge(shadow.rankCorrelation, v => v >= s.minRankCorrelation),
      value: shadow.rankCorrelation,
      threshold: s.minRankCorrelation,
      comparator: '>=',
      ...n,
      detail: shadow.rankCorrelation === null ? 'no paired predictions yet' : `Spearman ρ ${shadow.rankCorrelation.toFixed(3)} vs at least ${s.minRankCorrelation}`,
    },
    {
      check: 'prediction-psi',
      verdict: judge(shadow.predictionPsi, v => v <= s.maxPredictionPsi),
      value: shadow.predictionPsi,
      threshold: s.maxPredictionPsi,
      comparator: '<=',
      ...n,
      detail: shadow.predictionPsi === null ? 'no scores yet' : `prediction PSI ${shadow.predictionPsi.toFixed(3)} vs at most ${s.maxPredictionPsi}`,
    },
    samplesCheck(shadow.pairs, s.minSamples, n, 'paired requests'),
    durationCheck(elapsedMs, s.minDuration, n),
  ];
}
