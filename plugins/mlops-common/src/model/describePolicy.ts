import type { PolicyLine, PolicySection } from '../schema/openapi/generated/models';
import { Gate, ModelPolicy } from './policy';



const pct = (fraction: number) => `${+(fraction * 100).toFixed(4)} %`;

/** A KPI's SLO band (KPIs are shares): "SLO ≥ 3 %", "SLO ≤ 1 %", "SLO 2 % … 4 %". */
function sloText(slo: { min?: number; max?: number }) {
  if (slo.min !== undefined && slo.max !== undefined) return `SLO ${pct(slo.min)} … ${pct(slo.max)}`;
  if (slo.min !== undefined) return `SLO ≥ ${pct(slo.min)}`;
  if (slo.max !== undefined) return `SLO ≤ ${pct(slo.max)}`;
  return undefined;
}

/** A gate in words, e.g. "ndcg@20 ≥ 0.17" or "auc ≤ 2 % below the champion". @public */
export function describeGate(gate: Gate): PolicyLine {
  const label = gate.name ?? gate.kind;
  const advisory = gate.advisory ? ' (advisory)' : '';
  let value: string;
  switch (gate.kind) {
    case 'metric-floor': {
      const parts = [];
      if (gate.min !== undefined) parts.push(`${gate.metric} ≥ ${gate.min}`);
      if (gate.max !== undefined) parts.push(`${gate.metric} ≤ ${gate.max}`);
      value = parts.join(' and ');
      break;
    }
    case 'champion-relative':
      value = `${gate.metric} at most ${pct(gate.maxRelativeDrop)} worse than the champion`;
      break;
    case 'baseline-relative':
      value = `${gate.metric} at most ${pct(gate.maxRelativeDrop)} worse than the best of the last ${gate.window} promoted versions`;
      break;
    case 'latency-budget':
      value = `${gate.percentile} latency ≤ ${gate.maxMs} ms`;
      break;
    case 'fairness':
      value = `${gate.metric} gap across ${gate.sliceBy} slices ≤ ${gate.maxGap}`;
      break;
    case 'data-quality': {
      const parts = [];
      const subject = gate.feature ?? 'every feature';
      if (gate.maxNullRate !== undefined) parts.push(`null rate of ${subject} ≤ ${pct(gate.maxNullRate)}`);
      if (gate.range) parts.push(`${subject} within [${gate.range.min ?? '−∞'}, ${gate.range.max ?? '+∞'}]`);
      value = parts.join(' and ');
      break;
    }
    case 'feature-parity':
      value = `online and offline feature values agree within ${gate.tolerance}`;
      break;
    case 'feature-schema':
      value = 'serving feature schema matches the training schema';
      break;
    default:
      value = 'unknown gate';
  }
  return { label, value: value + advisory };
}

function describeRetrainingTarget(target: ModelPolicy['retraining']['target']): string {
  if (!target) {
    return 'not configured';
  }
  if (target.kind === 'webhook') {
    return `webhook ${target.url}`;
  }
  if (target.kind === 'plugin') {
    return `retraining action "${target.name}" (added by a backend module)`;
  }
  return `Argo Workflow ${target.namespace}/${target.workflowTemplate}`;
}

/** The whole policy in words, section by section; defaults are shown like explicit values. @public */
export function describePolicy(policy: ModelPolicy): PolicySection[] {
  const { rollout, drift, retraining, kpis, approvals } = policy;
  const shadow = rollout.shadow;
  return [
    {
      title: 'Validation gates',
      lines: policy.gates.length
        ? policy.gates.map(describeGate)
        : [{ label: 'gates', value: 'none configured: promotion is not gated' }],
    },
    {
      title: 'Rollout',
      lines: [
        {
          label: 'shadow',
          value: shadow.enabled
            ? `${shadow.minDuration} and ≥ ${shadow.minSamples} samples; agreement ≥ ${pct(shadow.minAgreement)}, rank correlation ≥ ${shadow.minRankCorrelation}, prediction PSI ≤ ${shadow.maxPredictionPsi}`
            : 'skipped',
        },
        {
          label: 'canary steps',
          value: rollout.steps
            .map(s => `${s.weight} % (≥ ${s.minDuration}, ≥ ${s.minSamples} samples)`)
            .join(' → '),
        },
        {
          label: 'roll back when',
          value: `error rate > ${pct(rollout.analysis.maxErrorRate)}, p99 latency > ${rollout.analysis.maxP99LatencyMs} ms, or ${rollout.analysis.kpi} drops > ${pct(rollout.analysis.maxKpiRelativeDrop)} vs the champion at p < ${rollout.analysis.significance}`,
        },
        { label: 'analysis interval', value: rollout.analysis.interval },
      ],
    },
    {
      title: 'Drift',
      lines: [
        {
          label: 'reference',
          value: drift.reference === 'training' ? 'training-data profile' : `rolling window of ${drift.reference.rollingWindow}`,
        },
        { label: 'window', value: `last ${drift.window}, in 5-minute buckets` },
        { label: 'PSI', value: `warning > ${drift.psi.warning}, critical > ${drift.psi.critical}` },
        { label: 'KS test', value: `α = ${drift.ksAlpha}, correction: ${drift.correction}; p-values exact where cheap, else within 8 %` },
        {
          label: 'tail check',
          value: `share beyond the reference's 1st/99th percentile: warning from ${drift.tail.warningRatio}× the reference's, critical from ${drift.tail.criticalRatio}×, at α = ${drift.tail.alpha}`,
        },
        {
          label: 'backtest',
          value: `alarms of the last ${drift.backtest.window} against the KPIs ${drift.backtest.horizon} after; ${
            drift.backtest.lowerSeverity
              ? `a signal whose alarms were followed ≤ ${pct(drift.backtest.maxPrecision)} of the time (from ${drift.backtest.minAlarms} alarms) is lowered one tier`
              : 'severities are not lowered'
          }`,
        },
        {
          label: 'contract',
          value: `null rate ≤ ${pct(drift.contract.maxNullRate)}, unseen categories ≤ ${pct(drift.contract.maxUnseenCategoryShare)}, out of range ≤ ${pct(drift.contract.maxOutOfRangeShare)}`,
        },
        { label: 'segments', value: drift.segments.length ? drift.segments.join(', ') : 'whole traffic only' },
        ...drift.features
          .filter(f => f.ignore || f.psi)
          .map(f => ({
            label: `feature ${f.name}`,
            value: f.ignore ? 'ignored' : `PSI warning > ${f.psi!.warning}, critical > ${f.psi!.critical}`,
          })),
      ],
    },
    {
      title: 'Retraining',
      lines: [
        { label: 'schedule', value: retraining.schedule ?? 'on triggers only' },
        {
          label: 'triggers',
          value: `drift over the PSI thresholds; ${retraining.performanceFloor ? `${retraining.performanceFloor.metric} < ${retraining.performanceFloor.min}; ` : ''}decline > ${pct(retraining.maxDeclineVsBaseline)} vs the ${retraining.baselineWindow} baseline`,
        },
        {
          label: 'limits',
          value: `at most one retrain per ${retraining.minInterval} unless critical${retraining.requireApprovalOnDrift ? '; drift-triggered versions wait for a human before canary' : ''}`,
        },
        {
          label: 'target',
          value: describeRetrainingTarget(retraining.target),
        },
      ],
    },
    {
      title: 'KPIs',
      lines: kpis.map(k => ({
        label: k.title ?? k.name,
        value: [
          `${k.numerator.source === 'outcome' ? `${k.numerator.outcome} outcomes` : 'predictions'} / ${k.denominator.source === 'outcome' ? `${k.denominator.outcome} outcomes` : 'predictions'}`,
          k.direction === 'higher-is-better' ? 'higher is better' : 'lower is better',
          k.slo ? sloText(k.slo) : undefined,
          k.segments.length ? `by ${k.segments.join(', ')}` : undefined,
        ]
          .filter(Boolean)
          .join('; '),
      })),
    },
    ...(policy.llm || policy.cost?.maxPer1MTokens
      ? [
          {
            title: 'LLM serving',
            lines: [
              ...(policy.llm?.maxTimeToFirstTokenMs ? [{ label: 'time to first token', value: `p95 ≤ ${policy.llm.maxTimeToFirstTokenMs} ms` }] : []),
              ...(policy.llm?.minOutputTokensPerSecond
                ? [{ label: 'decode rate', value: `median ≥ ${policy.llm.minOutputTokensPerSecond} output tokens/s per request` }]
                : []),
              ...(policy.cost?.maxPer1MTokens ? [{ label: 'cost', value: `≤ ${policy.cost.maxPer1MTokens} per 1M tokens` }] : []),
            ],
          },
        ]
      : []),
    {
      title: 'Sign-off',
      lines: [{ label: 'approval expires after', value: approvals.expiresAfter }],
    },
  ];
}
