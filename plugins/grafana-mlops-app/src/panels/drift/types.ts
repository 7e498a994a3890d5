import type { ContractCheck, Severity } from '@modelrails/plugin-mlops-common';

export interface DriftPanelOptions {
  /** Row order: the worst drift first, or feature names. */
  sort: 'worst' | 'name';
  /** Print each cell's PSI when the cell is wide enough. */
  showValues: boolean;
  /** The dashboard variable a click on a feature sets (the drift query's feature uses it). */
  featureVariable: string;
}

export const DEFAULT_DRIFT_OPTIONS: DriftPanelOptions = { sort: 'worst', showValues: true, featureVariable: 'feature' };

/** One feature in one step, as the backend judged it. */
export interface DriftCellView {
  time: number;
  psi: number | null;
  severity: Severity;
  n: number;
  pValue: number | null;
  violations: ContractCheck[];
}

export interface DriftRow {
  feature: string;
  kind: string;
  /** Aligned with DriftMatrix.times. */
  cells: DriftCellView[];
  worst: Severity;
  /** Steps with a failed contract check. */
  contractSteps: number;
}

export interface DriftMatrix {
  model: string;
  version: string | null;
  segment: string;
  stepMs: number;
  times: number[];
  rows: DriftRow[];
}

export interface DistributionView {
  feature: string;
  severity: Severity;
  psi: number | null;
  bins: Array<{ label: string; reference: number; current: number }>;
}
