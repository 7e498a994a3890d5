import { DataFrame } from '@grafana/data';
import { rowsOf } from '../../shared/fields';
import { CanaryDecision, CanaryPanelOptions, DecisionRow } from './types';

const DECISIONS: CanaryDecision[] = ['continue', 'promote', 'rollback', 'inconclusive', 'pause'];

/**
 * The decision log, newest first, from frames with the fields `time`, `step`, `check`, `value`,
 * `threshold` and `decision`. Unknown decisions are dropped rather than shown as something they are not.
 */
export function decisionLog(frames: DataFrame[], options: CanaryPanelOptions): DecisionRow[] {
  const rows: DecisionRow[] = [];
  for (const row of rowsOf(frames, ['time', 'step', 'check', 'value', 'threshold', 'decision'] as const)) {
    const decision = String(row.decision) as CanaryDecision;
    if (!DECISIONS.includes(decision)) {
      continue;
    }
    if (options.onlyTrafficChanges && decision !== 'promote' && decision !== 'rollback') {
      continue;
    }
    rows.push({
      time: Number(row.time),
      step: String(row.step),
      check: String(row.check),
      value: Number(row.value),
      threshold: Number(row.threshold),
      decision,
    });
  }
  return rows.sort((a, b) => b.time - a.time);
}
