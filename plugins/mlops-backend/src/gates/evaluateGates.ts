import { Gate, GateResult, ModelVersion, describeGate, formatLatency, formatNumber, formatPercent } from '@modelrails/plugin-mlops-common';

/** What a version's gates are judged on. */
export type GateEvidence = {
  version: Pick<ModelVersion, 'version' | 'metrics' | 'featureSets'>;
  /** The version holding the champion alias, if any (never the candidate itself). */
  champion?: Pick<ModelVersion, 'version' | 'metrics' | 'featureSets'>;
  /** The most recent promoted versions (champions), newest first, excluding the candidate. */
  promoted: Array<Pick<ModelVersion, 'version' | 'metrics'>>;
};

/*
 * Metric names the gates read from a version's metrics (reported by the training job):
 *   latency-budget   latency_p50_ms, latency_p95_ms, latency_p99_ms
 *   fairness         <metric>[<sliceBy>=<slice>], e.g. ndcg@20[platform=ios]
 *   data-quality     null_rate:<feature>, min:<feature>, max:<feature>
 *   feature-parity   parity_max_abs_diff (over a frozen input set, training vs serving values)
 */

const better = (direction: 'higher-is-better' | 'lower-is-better', a: number, b: number) =>
  direction === 'higher-is-better' ? a > b : a < b;

/** How much worse `value` is than `reference`, as a fraction of the reference (negative = better). */
function relativeDrop(direction: 'higher-is-better' | 'lower-is-better', value: number, reference: number) {
  if (reference === 0) return 0;
  const change = (value - reference) / Math.abs(reference);
  return direction === 'higher-is-better' ? -change : change;
}

const round = (x: number) => Number(x.toPrecision(6));

/** The metric value a relative gate fails beyond: the reference moved by the allowed drop, against the direction. */
function relativeBound(direction: 'higher-is-better' | 'lower-is-better', reference: number, maxRelativeDrop: number) {
  const allowed = Math.abs(reference) * maxRelativeDrop;
  return round(direction === 'higher-is-better' ? reference - allowed : reference + allowed);
}

function missing(gate: Gate, reason: string): GateResult {
  return { ...base(gate), status: 'fail', reason };
}

function base(gate: Gate) {
  return { kind: gate.kind, name: describeGate(gate).label, rule: describeGate(gate).value, advisory: gate.advisory };
}

function result(gate: Gate, pass: boolean, value: number, threshold: number, reason: string): GateResult {
  return { ...base(gate), status: pass ? 'pass' : 'fail', value: round(value), threshold: round(threshold), reason };
}

function evaluate(gate: Gate, evidence: GateEvidence): GateResult {
  const { metrics } = evidence.version;
  switch (gate.kind) {
    case 'metric-floor': {
      const value = metrics[gate.metric];
      if (value === undefined) return missing(gate, `${gate.metric} was not reported`);
      const on = { metric: gate.metric, bound: gate.min ?? gate.max! };
      if (gate.min !== undefined && value < gate.min) {
        return { ...result(gate, false, value, gate.min, `${gate.metric} ${formatNumber(value)} is below the floor ${formatNumber(gate.min)}`), ...on };
      }
      if (gate.max !== undefined && value > gate.max) {
        return { ...result(gate, false, value, gate.max, `${gate.metric} ${formatNumber(value)} is above the ceiling ${formatNumber(gate.max)}`), ...on, bound: gate.max };
      }
      const threshold = gate.min ?? gate.max!;
      return { ...result(gate, true, value, threshold, `${gate.metric} ${formatNumber(value)} is within bounds`), ...on };
    }
    case 'champion-relative': {
      const value = metrics[gate.metric];
      if (value === undefined) return missing(gate, `${gate.metric} was not reported`);
      const champion = evidence.champion?.metrics[gate.metric];
      if (champion === undefined) {
        return { ...base(gate), status: 'pass', value: round(value), reason: 'no champion to compare with', metric: gate.metric };
      }
      const drop = relativeDrop(gate.direction, value, champion);
      const onChampion = { metric: gate.metric, bound: relativeBound(gate.direction, champion, gate.maxRelativeDrop) };
      return {
        ...onChampion,
        ...result(
        gate,
        drop <= gate.maxRelativeDrop,
        drop,
        gate.maxRelativeDrop,
          `${gate.metric} ${formatNumber(value)} vs champion v${evidence.champion!.version} ${formatNumber(champion)}: ${formatPercent(drop)} worse (allowed ${formatPercent(gate.maxRelativeDrop)})`,
        ),
      };
    }
    case 'baseline-relative': {
      const value = metrics[gate.metric];
      if (value === undefined) return missing(gate, `${gate.metric} was not reported`);
      const history = evidence.promoted
        .slice(0, gate.window)
        .filter(v => v.metrics[gate.metric] !== undefined);
      if (!history.length) {
        return { ...base(gate), status: 'pass', value: round(value), reason: 'no promoted versions to compare with yet', metric: gate.metric };
      }
      const best = history.reduce((a, b) => (better(gate.direction, b.metrics[gate.metric], a.metrics[gate.metric]) ? b : a));
      const baseline = best.metrics[gate.metric];
      const drop = relativeDrop(gate.direction, value, baseline);
      return {
        ...result(
          gate,
          drop <= gate.maxRelativeDrop,
          drop,
          gate.maxRelativeDrop,
          `${gate.metric} ${formatNumber(value)} vs the best of the last ${history.length} promoted versions (v${best.version}, ${formatNumber(baseline)}): ${formatPercent(drop)} worse (allowed ${formatPercent(gate.maxRelativeDrop)})`,
        ),
        metric: gate.metric,
        bound: relativeBound(gate.direction, baseline, gate.maxRelativeDrop),
      };
    }
    case 'latency-budget': {
      const key = `latency_${gate.percentile}_ms`;
      const value = metrics[key];
      if (value === undefined) return missing(gate, `${key} was not reported`);
      return { ...result(gate, value <= gate.maxMs, value, gate.maxMs, `${gate.percentile} latency ${formatLatency(value)} (budget ${formatLatency(gate.maxMs)})`), metric: key, bound: gate.maxMs };
    }
    case 'fairness': {
      const prefix = `${gate.metric}[${gate.sliceBy}=`;
      const slices = Object.entries(metrics).filter(([k]) => k.startsWith(prefix) && k.endsWith(']'));
      if (slices.length < 2) return missing(gate, `fewer than two ${gate.sliceBy} slices of ${gate.metric} were reported`);
      const values = slices.map(([, v]) => v);
      const gap = Math.max(...values) - Math.min(...values);
      const worst = slices.reduce((a, b) => (b[1] < a[1] ? b : a))[0].slice(prefix.length, -1);
      return result(gate, gap <= gate.maxGap, gap, gate.maxGap, `largest ${gate.metric} gap across ${slices.length} ${gate.sliceBy} slices is ${formatNumber(gap)} (lowest: ${worst})`);
    }
    case 'data-quality': {
      const features = gate.feature
        ? [gate.feature]
        : [...new Set(Object.keys(metrics).filter(k => /^(null_rate|min|max):/.test(k)).map(k => k.split(':')[1]))];
      if (!features.length) return missing(gate, 'no data-quality metrics were reported');
      for (const feature of features) {
        const nullRate = metrics[`null_rate:${feature}`];
        if (gate.maxNullRate !== undefined) {
          if (nullRate === undefined) return missing(gate, `null_rate:${feature} was not reported`);
          if (nullRate > gate.maxNullRate) {
            return result(gate, false, nullRate, gate.maxNullRate, `${feature} is null in ${formatPercent(nullRate)} of rows`);
          }
        }
        const min = metrics[`min:${feature}`];
        const max = metrics[`max:${feature}`];
        if (gate.range?.min !== undefined && min !== undefined && min < gate.range.min) {
          return result(gate, false, min, gate.range.min, `${feature} goes down to ${formatNumber(min)}, below ${formatNumber(gate.range.min)}`);
        }
        if (gate.range?.max !== undefined && max !== undefined && max > gate.range.max) {
          return result(gate, false, max, gate.range.max, `${feature} goes up to ${formatNumber(max)}, above ${formatNumber(gate.range.max)}`);
        }
      }
      const worst = gate.maxNullRate !== undefined ? Math.max(...features.map(f => metrics[`null_rate:${f}`] ?? 0)) : 0;
      return result(gate, true, worst, gate.maxNullRate ?? 0, `${features.join(', ')} within null-rate and range limits`);
    }
    case 'feature-parity': {
      const diff = metrics.parity_max_abs_diff;
      if (diff === undefined) return missing(gate, 'parity_max_abs_diff (training vs serving values on the frozen input set) was not reported');
      return result(gate, diff <= gate.tolerance, diff, gate.tolerance, `largest training/serving difference ${formatNumber(diff)} (tolerance ${formatNumber(gate.tolerance)})`);
    }
    case 'feature-schema': {
      const champion = evidence.champion;
      if (!champion) return { ...base(gate), status: 'pass', reason: 'no champion schema to compare with' };
      const problems: string[] = [];
      for (const old of champion.featureSets) {
        const now = evidence.version.featureSets.find(f => f.ref === old.ref);
        for (const [feature, type] of Object.entries(old.schema ?? {})) {
          const current = now?.schema?.[feature];
          if (current === undefined) problems.push(`${feature} is missing`);
          else if (current !== type) problems.push(`${feature} changed from ${type} to ${current}`);
        }
      }
      return {
        ...base(gate),
        status: problems.length ? 'fail' : 'pass',
        value: problems.length,
        threshold: 0,
        reason: problems.length ? problems.join('; ') : `feature schema matches champion v${champion.version}`,
      };
    }
    default:
      return missing(gate, 'unknown gate kind');
  }
}

/** Every gate of a policy judged on the evidence; a version passes when no blocking gate fails. */
export function evaluateGates(gates: Gate[], evidence: GateEvidence): { passed: boolean; results: GateResult[] } {
  const results = gates.map(g => evaluate(g, evidence));
  return { passed: results.every(r => r.status === 'pass' || r.advisory), results };
}
