import { DataFrame } from '@grafana/data';
import type { ContractCheck, Severity } from '@modelrails/plugin-mlops-common';
import { customOf, framesOfKind, numberOrNull, valuesOf } from '../../shared/frames';
import { DistributionView, DriftMatrix, DriftPanelOptions, DriftRow } from './types';

const RANK: Record<Severity, number> = { insufficient: 0, none: 1, warning: 2, critical: 3 };

/** The worse of two verdicts; too few samples is the mildest (it says nothing). */
export function worse(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Features × time from the data source's `drift` frames. Severities are the backend's verdicts
 * (the same the portal shows); the panel only orders and colours them.
 */
export function driftMatrix(frames: DataFrame[], options: Pick<DriftPanelOptions, 'sort'>): DriftMatrix | null {
  const drift = framesOfKind(frames, 'drift');
  if (!drift.length) {
    return null;
  }
  const meta = customOf(drift[0]);
  const times = valuesOf<number>(drift[0], 'time');
  const rows: DriftRow[] = drift.map(frame => {
    const custom = customOf(frame);
    const frameTimes = valuesOf<number>(frame, 'time');
    const psi = valuesOf(frame, 'psi');
    const severity = valuesOf<Severity>(frame, 'severity');
    const n = valuesOf<number>(frame, 'n');
    const pValue = valuesOf(frame, 'pValue');
    const violations = valuesOf<string>(frame, 'violations');
    const cells = frameTimes.map((time, i) => ({
      time,
      psi: numberOrNull(psi[i]),
      severity: severity[i] ?? 'insufficient',
      n: n[i] ?? 0,
      pValue: numberOrNull(pValue[i]),
      violations: (violations[i] ? violations[i].split(',') : []) as ContractCheck[],
    }));
    return {
      feature: String(custom.feature ?? frame.name),
      kind: String(custom.featureKind ?? ''),
      cells,
      worst: cells.reduce<Severity>((w, c) => worse(w, c.severity), 'insufficient'),
      contractSteps: cells.filter(c => c.violations.length > 0).length,
    };
  });
  const byName = (a: DriftRow, b: DriftRow) => a.feature.localeCompare(b.feature);
  rows.sort(options.sort === 'name' ? byName : (a, b) => RANK[b.worst] - RANK[a.worst] || b.contractSteps - a.contractSteps || byName(a, b));
  return {
    model: String(meta.model ?? ''),
    version: (meta.version as string | null) ?? null,
    segment: String(meta.segment ?? 'all'),
    stepMs: Number(meta.stepMs ?? 0),
    times,
    rows,
  };
}

/** The selected feature's reference and current distributions (the `distribution` frame), if asked for. */
export function distributionOf(frames: DataFrame[]): DistributionView | null {
  const [frame] = framesOfKind(frames, 'distribution');
  if (!frame) {
    return null;
  }
  const custom = customOf(frame);
  const drift = (custom.drift ?? {}) as { severity?: Severity; psi?: number | null };
  const reference = valuesOf<number>(frame, 'reference');
  const current = valuesOf<number>(frame, 'current');
  return {
    feature: String(custom.feature),
    severity: drift.severity ?? 'insufficient',
    psi: numberOrNull(drift.psi),
    bins: valuesOf<string>(frame, 'bin').map((label, i) => ({ label, reference: reference[i] ?? 0, current: current[i] ?? 0 })),
  };
}
