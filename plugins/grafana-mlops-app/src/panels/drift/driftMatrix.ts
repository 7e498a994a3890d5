import { DataFrame } from '@grafana/data';
import { buildDriftMatrix, worseSeverity, type ContractCheck, type Severity } from '@modelrails/plugin-mlops-common';
import { customOf, framesOfKind, numberOrNull, valuesOf } from '../../shared/frames';
import { DistributionView, DriftMatrix, DriftPanelOptions } from './types';

/** The worse of two verdicts (the shared view model's rule). */
export const worse = worseSeverity;

/**
 * Features × time from the data source's `drift` frames, through the view model the portal's Drift
 * tab uses too (buildDriftMatrix). Severities are the backend's verdicts; the panel only orders and
 * colours them.
 */
export function driftMatrix(frames: DataFrame[], options: Pick<DriftPanelOptions, 'sort'>): DriftMatrix | null {
  const drift = framesOfKind(frames, 'drift');
  if (!drift.length) {
    return null;
  }
  const meta = customOf(drift[0]);
  const times = valuesOf<number>(drift[0], 'time');
  const features = drift.map(frame => {
    const custom = customOf(frame);
    const frameTimes = valuesOf<number>(frame, 'time');
    const psi = valuesOf(frame, 'psi');
    const severity = valuesOf<Severity>(frame, 'severity');
    const n = valuesOf<number>(frame, 'n');
    const pValue = valuesOf(frame, 'pValue');
    const violations = valuesOf<string>(frame, 'violations');
    return {
      feature: String(custom.feature ?? frame.name),
      kind: String(custom.featureKind ?? ''),
      cells: frameTimes.map((time, i) => ({
        time,
        psi: numberOrNull(psi[i]),
        severity: severity[i] ?? 'insufficient',
        n: n[i] ?? 0,
        pValue: numberOrNull(pValue[i]),
        violations: (violations[i] ? violations[i].split(',') : []) as ContractCheck[],
      })),
    };
  });
  return buildDriftMatrix(
    {
      model: String(meta.model ?? ''),
      version: (meta.version as string | null) ?? null,
      segment: String(meta.segment ?? 'all'),
      stepMs: Number(meta.stepMs ?? 0),
      times,
      features,
    },
    options.sort,
  );
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
