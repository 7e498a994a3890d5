import type { ContractCheck, Severity } from '../api/types';

/*
 * The drift view model both front ends draw: features × time, each cell the backend's verdict.
 * The Grafana drift panel builds it from the data source's frames, the portal's Drift tab from the
 * drift series it fetches; both go through buildDriftMatrix, so ordering and "worst" agree.
 */

const RANK: Record<Severity, number> = { insufficient: 0, none: 1, warning: 2, critical: 3 };

/**
 * The worse of two verdicts; too few samples is the mildest (it says nothing).
 *
 * @public
 */
export function worseSeverity(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * One feature in one step, as the backend judged it.
 *
 * @public
 */
export interface DriftCellView {
  time: number;
  psi: number | null;
  severity: Severity;
  n: number;
  pValue: number | null;
  violations: ContractCheck[];
}

/** @public */
export interface DriftRow {
  feature: string;
  kind: string;
  /** Aligned with DriftMatrix.times. */
  cells: DriftCellView[];
  worst: Severity;
  /** Steps with a failed contract check. */
  contractSteps: number;
  thresholds?: { warning: number; critical: number };
}

/** @public */
export interface DriftMatrix {
  model: string;
  version: string | null;
  segment: string;
  stepMs: number;
  times: number[];
  rows: DriftRow[];
}

/** @public */
export type DriftMatrixInput = Omit<DriftMatrix, 'rows'> & {
  features: Array<{ feature: string; kind: string; cells: DriftCellView[]; thresholds?: { warning: number; critical: number } }>;
};

/**
 * Rows with their worst verdict, the worst drift first (or by name).
 *
 * @public
 */
export function buildDriftMatrix(input: DriftMatrixInput, sort: 'worst' | 'name'): DriftMatrix {
  const rows: DriftRow[] = input.features.map(f => ({
    feature: f.feature,
    kind: f.kind,
    cells: f.cells,
    thresholds: f.thresholds,
    worst: f.cells.reduce<Severity>((w, c) => worseSeverity(w, c.severity), 'insufficient'),
    contractSteps: f.cells.filter(c => c.violations.length > 0).length,
  }));
  const byName = (a: DriftRow, b: DriftRow) => a.feature.localeCompare(b.feature);
  rows.sort(sort === 'name' ? byName : (a, b) => RANK[b.worst] - RANK[a.worst] || b.contractSteps - a.contractSteps || byName(a, b));
  const { features: _features, ...meta } = input;
  return { ...meta, rows };
}

/**
 * The view model straight from the backend's drift series (GET …/drift/series).
 *
 * @public
 */
export function driftMatrixFromSeries(
  series: {
    modelRef: string;
    version: string | null;
    segment: string;
    stepMs: number;
    steps: Array<{ start: string }>;
    features: Array<{
      feature: string;
      kind: string;
      thresholds: { warning: number; critical: number };
      cells: Array<{ psi: number | null; severity: Severity; n: number; pValue: number | null; violations: ContractCheck[] }>;
    }>;
  },
  sort: 'worst' | 'name' = 'worst',
): DriftMatrix {
  const times = series.steps.map(s => Date.parse(s.start));
  return buildDriftMatrix(
    {
      model: series.modelRef,
      version: series.version,
      segment: series.segment,
      stepMs: series.stepMs,
      times,
      features: series.features.map(f => ({
        feature: f.feature,
        kind: f.kind,
        thresholds: f.thresholds,
        cells: f.cells.map((c, i) => ({ time: times[i], psi: c.psi, severity: c.severity, n: c.n, pValue: c.pValue, violations: c.violations })),
      })),
    },
    sort,
  );
}
