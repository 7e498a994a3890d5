import type { Rollout, RolloutAction, RolloutCheck, RolloutStage } from '@modelrails/plugin-mlops-common';

export interface CanaryPanelOptions {
  /** The decision log shows only decisions that moved traffic or ended the rollout. */
  onlyTrafficChanges: boolean;
  /** Show the latest analysis: champion against challenger with intervals. */
  showAnalysis: boolean;
}

export const DEFAULT_CANARY_OPTIONS: CanaryPanelOptions = { onlyTrafficChanges: false, showAnalysis: true };

export interface CheckView {
  check: RolloutCheck['check'];
  verdict: RolloutCheck['verdict'];
  value: number | null;
  threshold: number;
  comparator: RolloutCheck['comparator'];
  unit: string;
  championValue: number | null;
  lower: number | null;
  upper: number | null;
  pValue: number | null;
  detail: string;
}

export interface DecisionView {
  id: number;
  time: number;
  stage: RolloutStage;
  weight: number;
  action: RolloutAction;
  actor: string;
  reason: string;
  checks: CheckView[];
  /** Stage or weight differ from the decision before, or the rollout ended here. */
  movedTraffic: boolean;
}

/** A span of the timeline with one stage and weight. */
export interface StageSpan {
  stage: RolloutStage;
  weight: number;
  from: number;
  to: number;
}

export interface CanaryView {
  rollout: Rollout;
  spans: StageSpan[];
  rollbacks: number[];
  /** Newest first. */
  decisions: DecisionView[];
  /** The newest decision that has checks (an analysis), if any. */
  latestAnalysis: DecisionView | null;
}
