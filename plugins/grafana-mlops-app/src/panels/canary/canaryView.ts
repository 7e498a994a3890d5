import { DataFrame } from '@grafana/data';
import type { Rollout } from '@modelrails/plugin-mlops-common';
import { customOf, framesOfKind, numberOrNull, valuesOf } from '../../shared/frames';
import { CanaryView, CheckView, DecisionView, StageSpan } from './types';

const ENDING_ACTIONS = new Set(['rollback', 'complete', 'abort', 'promote']);

function checksByDecision(frame: DataFrame | undefined): Map<number, CheckView[]> {
  const byDecision = new Map<number, CheckView[]>();
  if (!frame) {
    return byDecision;
  }
  const column = (name: string) => valuesOf(frame, name);
  const [decision, check, verdict, value, threshold, comparator, unit, championValue, lower, upper, pValue, detail] = [
    'decision', 'check', 'verdict', 'value', 'threshold', 'comparator', 'unit', 'championValue', 'lower', 'upper', 'pValue', 'detail',
  ].map(column);
  decision.forEach((id, i) => {
    const list = byDecision.get(Number(id)) ?? [];
    list.push({
      check: check[i] as CheckView['check'],
      verdict: verdict[i] as CheckView['verdict'],
      value: numberOrNull(value[i]),
      threshold: Number(threshold[i]),
      comparator: comparator[i] as CheckView['comparator'],
      unit: String(unit[i] ?? 'none'),
      championValue: numberOrNull(championValue[i]),
      lower: numberOrNull(lower[i]),
      upper: numberOrNull(upper[i]),
      pValue: numberOrNull(pValue[i]),
      detail: String(detail[i] ?? ''),
    });
    byDecision.set(Number(id), list);
  });
  return byDecision;
}

/**
 * A rollout from the data source's `canary-stages` and `canary-checks` frames: the stage
 * timeline (from its creation to its end, or to `now` while it runs), rollback markers, and the
 * decision log newest first with each analysis's checks.
 */
export function canaryView(frames: DataFrame[], now: number): CanaryView | null {
  const [stages] = framesOfKind(frames, 'canary-stages');
  if (!stages) {
    return null;
  }
  const rollout = customOf(stages).rollout as Rollout;
  const checks = checksByDecision(framesOfKind(frames, 'canary-checks')[0]);
  const ids = valuesOf<number>(stages, 'id');
  const time = valuesOf<number>(stages, 'time');
  const stage = valuesOf<DecisionView['stage']>(stages, 'stage');
  const weight = valuesOf<number>(stages, 'weight');
  const action = valuesOf<DecisionView['action']>(stages, 'action');
  const actor = valuesOf<string>(stages, 'actor');
  const reason = valuesOf<string>(stages, 'reason');
  const oldestFirst: DecisionView[] = ids.map((id, i) => ({
    id,
    time: time[i],
    stage: stage[i],
    weight: weight[i],
    action: action[i],
    actor: actor[i],
    reason: reason[i],
    checks: checks.get(id) ?? [],
    movedTraffic: i === 0 || stage[i] !== stage[i - 1] || weight[i] !== weight[i - 1] || ENDING_ACTIONS.has(action[i]),
  }));

  const end = rollout.endedAt ? Date.parse(rollout.endedAt) : now;
  const spans: StageSpan[] = [];
  for (const d of oldestFirst) {
    const last = spans[spans.length - 1];
    if (last && last.stage === d.stage && last.weight === d.weight) {
      continue;
    }
    if (last) {
      last.to = d.time;
    }
    spans.push({ stage: d.stage, weight: d.weight, from: spans.length ? d.time : Math.min(d.time, Date.parse(rollout.createdAt)), to: end });
  }
  const decisions = [...oldestFirst].reverse();
  return {
    rollout,
    spans: spans.map(s => ({ ...s, to: Math.max(s.to, s.from) })),
    rollbacks: oldestFirst.filter(d => d.action === 'rollback').map(d => d.time),
    decisions,
    latestAnalysis: decisions.find(d => d.checks.length > 0) ?? null,
  };
}
