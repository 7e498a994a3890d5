import type { SloStatus } from '@modelrails/plugin-mlops-common';

/** `kpis` stands for every KPI of each model's policy; the rest are operational metrics. */
export type KpiChoice = 'kpis' | 'performance' | 'error_rate' | 'latency_p50' | 'latency_p95' | 'latency_p99' | 'throughput' | 'cost_per_1k';

export interface KpiPanelOptions {
  metrics: KpiChoice[];
  /** Models breaching an SLO first, or by title. */
  sort: 'breaches' | 'title';
  showSparklines: boolean;
}

export const DEFAULT_KPI_OPTIONS: KpiPanelOptions = {
  metrics: ['kpis', 'latency_p95', 'error_rate', 'cost_per_1k'],
  sort: 'breaches',
  showSparklines: true,
};

export interface KpiTile {
  metric: string;
  title: string;
  /** A Grafana unit id. */
  unit: string;
  value: number | null;
  lower: number | null;
  upper: number | null;
  slo: { min: number | null; max: number | null } | null;
  sloStatus: SloStatus;
  definition: string | null;
  points: Array<{ time: number; value: number | null }>;
  /** Said under the value instead of the SLO band (performance tiles: the realised value). */
  note?: string;
}

export interface KpiCard {
  model: string;
  title: string;
  sloStatus: SloStatus;
  tiles: KpiTile[];
  versionChanges: Array<{ time: number; from: string | null; to: string }>;
}
