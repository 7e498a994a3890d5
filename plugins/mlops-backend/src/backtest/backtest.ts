import { Backtest, BacktestSignal, DriftAlarm, DriftSeries, KpiChange, KpiReport, ModelPolicy } from '@modelrails/plugin-mlops-common';
import { sloStatusOf } from '../kpi/KpiService';
import type { EvaluationReport } from '../evaluation/EvaluationService';

/*
 * Backtesting drift alarms, as the field reports ask: "when drift was high in the past, did
 * performance change? If not, down-weight that signal". Per feature and check, its alarm episodes
 * (consecutive steps it alarmed in) are set against the KPI changes that followed; a change is a
 * KPI step on matured labels that breaches its SLO (the first step of a breach) or falls beyond
 * its own interval from the step before (Wilson intervals that do not overlap, in the worse
 * direction), or a day whose ROC AUC on matured labels falls so (Hanley–McNeil intervals). An episode is followed when a change begins between its first step and `horizon`
 * after its last; a change is missed by a signal none of whose episodes reaches it so.
 */

const CHECK_WORDS: Record<DriftAlarm, string> = { psi: 'PSI', ks: 'KS', 'chi-square': 'chi-square', tail: 'tail' };

/** The KPI changes of a report's matured steps, all traffic only, in time order. */
export function kpiChanges(report: KpiReport): KpiChange[] {
  const matured = Date.parse(String(report.provisionalFrom ?? report.to));
  const changes: KpiChange[] = [];
  for (const metric of report.metrics) {
    if (metric.kind !== 'kpi') continue;
    const points = (metric.series[0]?.points ?? []).filter(p => Date.parse(String(p.end)) <= matured && p.value !== null);
    points.forEach((p, i) => {
      const previous = points[i - 1];
      const breach = sloStatusOf(p.value, metric.slo) === 'breach';
      const wasBreach = previous !== undefined && sloStatusOf(previous.value, metric.slo) === 'breach';
      let kind: KpiChange['kind'] | null = breach && !wasBreach && previous !== undefined ? 'slo-breach' : null;
      if (!kind && previous && p.lower !== null && p.upper !== null && previous.lower !== null && previous.upper !== null) {
        const worse = metric.direction === 'higher-is-better' ? p.upper < previous.lower : p.lower > previous.upper;
        if (worse) kind = 'drop';
      }
      if (kind) changes.push({ metric: metric.name, title: metric.title, kind, start: String(p.start), value: p.value! });
    });
  }
  return changes.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.metric.localeCompare(b.metric));
}

/**
 * The 95 % interval of a ROC AUC from its positives and negatives (Hanley & McNeil 1982): the
 * standard error of the Mann–Whitney statistic under their exponential approximation.
 */
export function aucInterval(auc: number, positives: number, negatives: number): { lower: number; upper: number } {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  const half = 1.959963984540054 * Math.sqrt(Math.max(variance, 0));
  return { lower: auc - half, upper: auc + half };
}

/** Days on matured labels whose ROC AUC's interval lies below the previous day's. */
export function evaluationChanges(report: Pick<EvaluationReport, 'days'>): KpiChange[] {
  const days = report.days.filter(d => d.matured && d.auc !== null && d.positives > 0 && d.positives < d.n);
  const changes: KpiChange[] = [];
  days.forEach((d, i) => {
    const previous = days[i - 1];
    if (!previous) return;
    const now = aucInterval(d.auc!, d.positives, d.n - d.positives);
    const before = aucInterval(previous.auc!, previous.positives, previous.n - previous.positives);
    if (now.upper < before.lower) changes.push({ metric: 'auc', title: 'ROC AUC', kind: 'drop', start: d.start, value: d.auc! });
  });
  return changes;
}

type Episode = { first: number; last: number };

/** Runs of consecutive steps in which `check` alarmed on a feature, as step start times. */
function episodesOf(series: DriftSeries, cells: DriftSeries['features'][number]['cells'], check: DriftAlarm): Episode[] {
  const episodes: Episode[] = [];
  let open: Episode | null = null;
  cells.forEach((cell, i) => {
    const start = Date.parse(String(series.steps[i].start));
    if (cell.alarms.includes(check)) {
      if (open) open.last = start;
      else {
        open = { first: start, last: start };
        episodes.push(open);
      }
    } else {
      open = null;
    }
  });
  return episodes;
}

export function backtest(series: DriftSeries, kpis: KpiReport, policy: ModelPolicy, horizonMs: number, evaluation?: Pick<EvaluationReport, 'days'>): Backtest {
  const rule = { lowerSeverity: policy.drift.backtest.lowerSeverity, minAlarms: policy.drift.backtest.minAlarms, maxPrecision: policy.drift.backtest.maxPrecision };
  const changes = [...kpiChanges(kpis), ...(evaluation ? evaluationChanges(evaluation) : [])].sort(
    (a, b) => Date.parse(a.start) - Date.parse(b.start) || a.metric.localeCompare(b.metric),
  );
  const at = changes.map(c => Date.parse(c.start));
  const reaches = (e: Episode, t: number) => t >= e.first && t <= e.last + horizonMs;
  const explained = new Set<number>();
  const signals: BacktestSignal[] = [];
  for (const feature of series.features) {
    const checks = [...new Set(feature.cells.flatMap(c => c.alarms))].sort();
    for (const check of checks) {
      const episodes = episodesOf(series, feature.cells, check);
      const followers = episodes.map(e => changes.filter((_, k) => reaches(e, at[k])));
      const followed = followers.filter(f => f.length > 0).length;
      const reached = new Set(changes.map((_, k) => k).filter(k => episodes.some(e => reaches(e, at[k]))));
      reached.forEach(k => explained.add(k));
      const byMetric = new Map<string, number>();
      for (const list of followers) for (const title of new Set(list.map(c => c.title))) byMetric.set(title, (byMetric.get(title) ?? 0) + 1);
      const followedMostBy = [...byMetric.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
      const precision = episodes.length ? followed / episodes.length : null;
      const lowered = rule.lowerSeverity && episodes.length >= rule.minAlarms && precision !== null && precision <= rule.maxPrecision;
      const what = `${CHECK_WORDS[check]} drift in ${feature.feature}`;
      const summary = followedMostBy
        ? `${what} preceded a change in ${followedMostBy} ${byMetric.get(followedMostBy)} of ${episodes.length} times`
        : `${what} was followed by no KPI change (${episodes.length} ${episodes.length === 1 ? 'alarm' : 'alarms'})`;
      signals.push({
        feature: feature.feature,
        check,
        alarms: episodes.length,
        followed,
        precision,
        missed: changes.length - reached.size,
        missRate: changes.length ? (changes.length - reached.size) / changes.length : null,
        followedMostBy,
        lowered,
        summary: lowered ? `${summary}: reported one tier lower` : summary,
        episodes: episodes.map((e, i) => ({
          start: new Date(e.first).toISOString(),
          end: new Date(e.last + series.stepMs).toISOString(),
          followedBy: [...new Set(followers[i].map(c => c.title))],
        })),
      });
    }
  }
  return {
    modelRef: series.modelRef,
    from: String(series.from),
    to: String(series.to),
    stepMs: series.stepMs,
    horizonMs,
    maturedUntil: String(kpis.provisionalFrom ?? kpis.to),
    changes,
    unexplained: changes.length - explained.size,
    signals: signals.sort((a, b) => b.alarms - a.alarms || a.feature.localeCompare(b.feature) || a.check.localeCompare(b.check)),
    rule,
  };
}
