export interface DriftPanelOptions {
  /** PSI above this is a warning. */
  warning: number;
  /** PSI above this is critical. */
  critical: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftPanelOptions = { warning: 0.25, critical: 0.5 };

export type DriftStatus = 'ok' | 'warning' | 'critical' | 'contract';

export interface DriftCell {
  psi: number;
  status: DriftStatus;
}

export interface DriftMatrix {
  features: string[];
  times: number[];
  /** cells[feature][time] */
  cells: Record<string, Record<number, DriftCell>>;
}
