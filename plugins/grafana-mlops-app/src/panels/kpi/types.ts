export interface KpiPanelOptions {
  /** Number of digits shown for each value. */
  decimals: number;
}

export const DEFAULT_KPI_OPTIONS: KpiPanelOptions = { decimals: 4 };

export type SloStatus = 'within' | 'below' | 'above' | 'no-slo';

export interface KpiCell {
  model: string;
  kpi: string;
  value: number;
  sloMin?: number;
  sloMax?: number;
  status: SloStatus;
}
