import React from 'react';
import { createDataFrame, FieldType, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { render, screen, within } from '@testing-library/react';
import { DriftPanel } from './drift/DriftPanel';
import { driftMatrix } from './drift/driftMatrix';
import { DEFAULT_DRIFT_OPTIONS } from './drift/types';
import { CanaryPanel } from './canary/CanaryPanel';
import { decisionLog } from './canary/decisionLog';
import { CanaryPanelOptions } from './canary/types';
import { KpiPanel } from './kpi/KpiPanel';
import { kpiGrid, sloStatus } from './kpi/kpiGrid';

const T0 = Date.UTC(2026, 10, 23, 10, 0);
const T1 = T0 + 5 * 60_000;

const driftFrame = createDataFrame({
  fields: [
    { name: 'time', type: FieldType.time, values: [T0, T0, T1, T1, T1] },
    { name: 'feature', type: FieldType.string, values: ['price', 'user_country', 'price', 'user_country', 'user_country'] },
    { name: 'psi', type: FieldType.number, values: [0.05, 0.3, 0.6, 0.02, 0.01] },
    { name: 'contractViolation', type: FieldType.boolean, values: [false, false, false, true, false] },
  ],
});

const canaryFrame = createDataFrame({
  fields: [
    { name: 'time', type: FieldType.time, values: [T0, T1, T1] },
    { name: 'step', type: FieldType.string, values: ['5 %', '25 %', '25 %'] },
    { name: 'check', type: FieldType.string, values: ['error rate', 'ctr', 'bogus'] },
    { name: 'value', type: FieldType.number, values: [0.001, -0.031, 1] },
    { name: 'threshold', type: FieldType.number, values: [0.005, -0.02, 1] },
    { name: 'decision', type: FieldType.string, values: ['continue', 'rollback', 'explode'] },
  ],
});

const kpiFrame = createDataFrame({
  fields: [
    { name: 'model', type: FieldType.string, values: ['home-feed-ranker', 'home-feed-ranker', 'ad-ctr-predictor'] },
    { name: 'kpi', type: FieldType.string, values: ['ctr', 'conversion', 'ctr'] },
    { name: 'value', type: FieldType.number, values: [0.041, 0.0031, 0.015] },
    { name: 'sloMin', type: FieldType.number, values: [0.03, 0.004, null] },
    { name: 'sloMax', type: FieldType.number, values: [null, null, null] },
  ],
});

function props<T>(series: Array<ReturnType<typeof createDataFrame>>, options: T): PanelProps<T> {
  return {
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options,
    width: 600,
    height: 300,
    timeZone: 'utc',
  } as unknown as PanelProps<T>;
}

describe('drift panel', () => {
  it('builds features × time with the worst status per cell and contract violations first', () => {
    const m = driftMatrix([driftFrame], DEFAULT_DRIFT_OPTIONS);
    expect(m.features).toEqual(['price', 'user_country']);
    expect(m.times).toEqual([T0, T1]);
    expect(m.cells.price[T0]).toEqual({ psi: 0.05, status: 'ok' });
    expect(m.cells.price[T1]).toEqual({ psi: 0.6, status: 'critical' });
    expect(m.cells.user_country[T0]).toEqual({ psi: 0.3, status: 'warning' });
    expect(m.cells.user_country[T1]).toEqual({ psi: 0.02, status: 'contract' });
  });

  it('follows the thresholds in its options', () => {
    const m = driftMatrix([driftFrame], { warning: 0.01, critical: 0.04 });
    expect(m.cells.price[T0].status).toBe('critical');
  });

  it('renders the grid and an empty state', () => {
    const { unmount } = render(<DriftPanel {...props([driftFrame], DEFAULT_DRIFT_OPTIONS)} />);
    const table = screen.getByRole('table', { name: 'Drift by feature and time' });
    const row = within(table).getByRole('row', { name: /user_country/ });
    expect(row.querySelectorAll('td[data-status="contract"]')).toHaveLength(1);
    expect(within(table).getByRole('columnheader', { name: '10:05' })).toBeInTheDocument();
    unmount();
    render(<DriftPanel {...props([], DEFAULT_DRIFT_OPTIONS)} />);
    expect(screen.getByText('No drift data in this time range')).toBeInTheDocument();
  });
});

describe('canary panel', () => {
  it('lists known decisions newest first and can show only traffic changes', () => {
    expect(decisionLog([canaryFrame], { onlyTrafficChanges: false }).map(r => r.decision)).toEqual(['rollback', 'continue']);
    expect(decisionLog([canaryFrame], { onlyTrafficChanges: true }).map(r => r.check)).toEqual(['ctr']);
  });

  it('renders value beside threshold for each decision', () => {
    render(<CanaryPanel {...props<CanaryPanelOptions>([canaryFrame], { onlyTrafficChanges: false })} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map(r => r.getAttribute('data-decision'))).toEqual(['rollback', 'continue']);
    expect(within(rows[0]).getByText('-0.031')).toBeInTheDocument();
    expect(within(rows[0]).getByText('-0.02')).toBeInTheDocument();
  });
});

describe('KPI panel', () => {
  it('places values against their SLO band', () => {
    expect(sloStatus(0.5, 0.4, 0.6)).toBe('within');
    expect(sloStatus(0.4, 0.4)).toBe('within');
    expect(sloStatus(0.3, 0.4)).toBe('below');
    expect(sloStatus(0.7, undefined, 0.6)).toBe('above');
    expect(sloStatus(0.7)).toBe('no-slo');
  });

  it('groups KPIs by model and marks the one out of its SLO band', () => {
    const grid = kpiGrid([kpiFrame]);
    expect([...grid.keys()]).toEqual(['ad-ctr-predictor', 'home-feed-ranker']);
    expect(grid.get('home-feed-ranker')!.map(c => [c.kpi, c.status])).toEqual([
      ['conversion', 'below'],
      ['ctr', 'within'],
    ]);
    render(<KpiPanel {...props([kpiFrame], { decimals: 3 })} />);
    const ranker = screen.getByRole('listitem', { name: 'home-feed-ranker' });
    expect(ranker.querySelector('[data-slo="below"]')).toHaveTextContent('conversion0.003 (SLO 0.004 … +∞)');
  });
});
