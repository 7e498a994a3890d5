import { DataFrame } from '@grafana/data';
import { rowsOf } from '../../shared/fields';
import { DriftMatrix, DriftPanelOptions, DriftStatus } from './types';

/**
 * Features × time from frames with the fields `time`, `feature`, `psi` and optionally
 * `contractViolation`. A contract violation outranks any PSI value; the worst value wins when a
 * feature has several rows in one bucket.
 */
export function driftMatrix(frames: DataFrame[], options: DriftPanelOptions): DriftMatrix {
  const rank: Record<DriftStatus, number> = { ok: 0, warning: 1, critical: 2, contract: 3 };
  const matrix: DriftMatrix = { features: [], times: [], cells: {} };
  const times = new Set<number>();
  for (const row of rowsOf(frames, ['time', 'feature', 'psi'] as const, ['contractViolation'])) {
    const time = Number(row.time);
    const feature = String(row.feature);
    const psi = Number(row.psi);
    if (!Number.isFinite(time) || !Number.isFinite(psi)) {
      continue;
    }
    let status: DriftStatus = 'ok';
    if (row.contractViolation === true) {
      status = 'contract';
    } else if (psi > options.critical) {
      status = 'critical';
    } else if (psi > options.warning) {
      status = 'warning';
    }
    times.add(time);
    const byTime = (matrix.cells[feature] ??= {});
    const existing = byTime[time];
    if (!existing || rank[status] > rank[existing.status] || (status === existing.status && psi > existing.psi)) {
      byTime[time] = { psi, status };
    }
  }
  matrix.features = Object.keys(matrix.cells).sort();
  matrix.times = [...times].sort((a, b) => a - b);
  return matrix;
}
