export interface CanaryPanelOptions {
  /** Show only decisions that moved traffic (promote, rollback). */
  onlyTrafficChanges: boolean;
}

export const DEFAULT_CANARY_OPTIONS: CanaryPanelOptions = { onlyTrafficChanges: false };

export type CanaryDecision = 'continue' | 'promote' | 'rollback' | 'inconclusive' | 'pause';

export interface DecisionRow {
  time: number;
  step: string;
  check: string;
  value: number;
  threshold: number;
  decision: CanaryDecision;
}
