import type { Severity } from '@modelrails/plugin-mlops-common';

export interface DriftPanelOptions {
  /** Row order: the worst drift first, or feature names. */
  sort: 'worst' | 'name';
  /** Print each cell's PSI when the cell is wide enough. */
  showValues: boolean;
  /** The dashboard variable a click on a feature sets (the drift query's feature uses it). */
  featureVariable: string;
}

export const DEFAULT_DRIFT_OPTIONS: DriftPanelOptions = { sort: 'worst', showValues: true, featureVariable: 'feature' };

/** The drift view model, shared with the portal's Drift tab. */
export type { DriftCellView, DriftMatrix, DriftRow } from '@modelrails/plugin-mlops-common';

export interface DistributionView {
  feature: string;
  severity: Severity;
  psi: number | null;
  bins: Array<{ label: string; reference: number; current: number }>;
}
