import { driftMatrixFromSeries } from './driftMatrix';

const cell = (severity: 'none' | 'warning' | 'critical' | 'insufficient', psi: number | null, violations: Array<'null-spike'> = []) => ({ severity, psi, n: 100, pValue: null, violations });

describe('the drift view model', () => {
  const series = {
    modelRef: 'model:default/m',
    version: '3',
    segment: '*',
    stepMs: 3_600_000,
    steps: [{ start: '2026-11-24T00:00:00Z' }, { start: '2026-11-24T01:00:00Z' }],
    features: [
      { feature: 'a', kind: 'numeric', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('none', 0.01), cell('warning', 0.12)] },
      { feature: 'b', kind: 'numeric', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('insufficient', null), cell('critical', 0.4)] },
      { feature: 'c', kind: 'categorical', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('warning', 0.11, ['null-spike']), cell('none', 0.02)] },
      { feature: 'd', kind: 'numeric', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('insufficient', null), cell('insufficient', null)] },
    ],
  };

  it('orders the worst drift first, contract breakage breaking ties, and keeps each cell at its step', () => {
    const matrix = driftMatrixFromSeries(series);
    expect(matrix.rows.map(r => [r.feature, r.worst, r.contractSteps])).toEqual([
      ['b', 'critical', 0],
      ['c', 'warning', 1],
      ['a', 'warning', 0],
      ['d', 'insufficient', 0],
    ]);
    expect(matrix.times).toEqual([Date.parse('2026-11-24T00:00:00Z'), Date.parse('2026-11-24T01:00:00Z')]);
    expect(matrix.rows[0].cells[1]).toMatchObject({ time: matrix.times[1], psi: 0.4 });
  });

  it('orders by name when asked', () => {
    expect(driftMatrixFromSeries(series, 'name').rows.map(r => r.feature)).toEqual(['a', 'b', 'c', 'd']);
  });
});
