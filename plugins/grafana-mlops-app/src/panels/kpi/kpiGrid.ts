import { DataFrame } from '@grafana/data';
import { rowsOf } from '../../shared/fields';
import { KpiCell, SloStatus } from './types';

function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined || value === '' || !Number.isFinite(Number(value))
    ? undefined
    : Number(value);
}

/** Where a value sits relative to its SLO band; the band's edges are inside it. */
export function sloStatus(value: number, sloMin?: number, sloMax?: number): SloStatus {
  if (sloMin === undefined && sloMax === undefined) {
    return 'no-slo';
  }
  if (sloMin !== undefined && value < sloMin) {
    return 'below';
  }
  if (sloMax !== undefined && value > sloMax) {
    return 'above';
  }
  return 'within';
}

/**
 * One cell per model and KPI, grouped by model in name order, from frames with the fields `model`,
 * `kpi`, `value` and optionally `sloMin`, `sloMax`. The last row for a model/KPI pair wins.
 */
export function kpiGrid(frames: DataFrame[]): Map<string, KpiCell[]> {
  const latest = new Map<string, KpiCell>();
  for (const row of rowsOf(frames, ['model', 'kpi', 'value'] as const, ['sloMin', 'sloMax'])) {
    const value = Number(row.value);
    if (!Number.isFinite(value)) {
      continue;
    }
    const sloMin = optionalNumber(row.sloMin);
    const sloMax = optionalNumber(row.sloMax);
    const cell: KpiCell = {
      model: String(row.model),
      kpi: String(row.kpi),
      value,
      sloMin,
      sloMax,
      status: sloStatus(value, sloMin, sloMax),
    };
    latest.set(`${cell.model}\u0000${cell.kpi}`, cell);
  }
  const grid = new Map<string, KpiCell[]>();
  for (const cell of [...latest.values()].sort((a, b) => a.model.localeCompare(b.model) || a.kpi.localeCompare(b.kpi))) {
    grid.set(cell.model, [...(grid.get(cell.model) ?? []), cell]);
  }
  return grid;
}
