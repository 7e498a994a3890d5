import React from 'react';
import { DataFrame, dateTime, LoadingState, PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import type { DriftSeries, FeatureDistribution, GetEvaluation200Response, KpiOverview, KpiReport, RolloutDetail } from '@modelrails/plugin-mlops-common';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { canaryFrames, distributionFrame, driftFrames, kpiOverviewFrames, kpiReportFrames, performanceFrames } from '../datasource/mlopsFrames';
import { DriftPanel } from './drift/DriftPanel';
import { distributionOf, driftMatrix } from './drift/driftMatrix';
import { DEFAULT_DRIFT_OPTIONS } from './drift/types';
import { CanaryPanel } from './canary/CanaryPanel';
import { canaryView } from './canary/canaryView';
import { CanaryPanelOptions, DEFAULT_CANARY_OPTIONS } from './canary/types';
import { KpiPanel } from './kpi/KpiPanel';
import { kpiGrid } from './kpi/kpiGrid';
import { DEFAULT_KPI_OPTIONS, KpiPanelOptions } from './kpi/types';

// Panels are fed the frames the data source builds (mlopsFrames) from wire-shaped answers.
const MODEL = 'model:default/home-feed-ranker';
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 10);
const iso = (t: number) => new Date(t).toISOString();

const cell = (severity: DriftSeries['features'][0]['cells'][0]['severity'], psi: number | null, violations: string[] = []) =>
  ({ n: severity === 'insufficient' ? 12 : 1500, test: 'psi', severity, psi, pValue: null, jensenShannon: null, violations }) as DriftSeries['features'][0]['cells'][0];

const driftSeries: DriftSeries = {
  modelRef: MODEL,
  version: '7',
  segment: 'all',
  from: iso(T0),
  to: iso(T0 + 3 * H),
  stepMs: H,
  reference: { kind: 'training' } as DriftSeries['reference'],
  steps: [0, 1, 2].map(i => ({ start: iso(T0 + i * H), end: iso(T0 + (i + 1) * H), events: 1500 })),
  features: [
    // A PSI over any usual threshold the backend still judged `none` (e.g. a large-sample feature
    // whose policy threshold is higher): the panel shows the backend's verdict, not its own.
    { feature: 'age', kind: 'numeric', thresholds: { warning: 0.8, critical: 1.2 }, cells: [cell('none', 0.6), cell('none', 0.7), cell('insufficient', null)] },
    { feature: 'item_price', kind: 'numeric', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('none', 0.02), cell('warning', 0.14), cell('critical', 0.41)] },
    { feature: 'user_country', kind: 'categorical', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('none', 0.01), cell('none', 0.02, ['unseen-categories']), cell('warning', 0.12, ['unseen-categories'])] },
  ],
  violations: [],
};

const distribution = {
  modelRef: MODEL,
  version: '7',
  segment: 'all',
  feature: 'item_price',
  window: { from: iso(T0), to: iso(T0 + 3 * H) },
  drift: { feature: 'item_price', severity: 'critical', psi: 0.41 },
  bins: [
    { label: '≤ 10', lower: null, upper: 10, reference: 0.5, current: 0.2 },
    { label: '(10, 20]', lower: 10, upper: 20, reference: 0.5, current: 0.8 },
  ],
} as unknown as FeatureDistribution;

function props<T>(series: DataFrame[], options: T, state = LoadingState.Done, extra: Partial<PanelProps<T>['data']> = {}): PanelProps<T> {
  return {
    data: { series, state, timeRange: { from: dateTime(T0), to: dateTime(T0 + 3 * H), raw: { from: 'now-3h', to: 'now' } }, ...extra },
    options,
    width: 900,
    height: 400,
    timeZone: 'utc',
    replaceVariables: (text: string) => (text === '$feature' ? '' : text),
  } as unknown as PanelProps<T>;
}

describe('drift panel', () => {
  it("orders features worst first and keeps the backend's verdicts and contract marks", () => {
    const m = driftMatrix(driftFrames(driftSeries, 'A'), DEFAULT_DRIFT_OPTIONS)!;
    expect(m.rows.map(r => [r.feature, r.worst, r.contractSteps])).toEqual([
      ['item_price', 'critical', 0],
      ['user_country', 'warning', 2],
      ['age', 'none', 0],
    ]);
    expect(m.times).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(m.rows[2].cells.map(c => c.severity)).toEqual(['none', 'none', 'insufficient']);
    expect(m.rows[1].cells[1]).toMatchObject({ severity: 'none', violations: ['unseen-categories'] });
    expect(driftMatrix(driftFrames(driftSeries, 'A'), { sort: 'name' })!.rows.map(r => r.feature)).toEqual(['age', 'item_price', 'user_country']);
  });

  it('renders the grid, marks contract violations, explains a cell on hover and selects a feature', () => {
    const partial = jest.spyOn(locationService, 'partial').mockImplementation(() => undefined);
    render(<DriftPanel {...props(driftFrames(driftSeries, 'A'), DEFAULT_DRIFT_OPTIONS)} />);
    const table = screen.getByRole('table', { name: 'Drift by feature and time' });
    const country = within(table).getByRole('row', { name: /user_country/ });
    expect([...country.querySelectorAll('td')].map(td => td.getAttribute('data-severity'))).toEqual(['none', 'none', 'warning']);
    expect(country.querySelectorAll('td[data-contract="unseen-categories"]')).toHaveLength(2);
    const age = within(table).getByRole('row', { name: /age/ });
    expect(age.querySelector('td')).toHaveAttribute('data-severity', 'none');

    fireEvent.mouseEnter(country.querySelectorAll('td')[2]);
    expect(screen.getByTestId('drift-hover')).toHaveTextContent('user_country · 2026-11-23 12:00 · PSI 0.120 · warning · n 1,500 · contract: unseen-categories');

    fireEvent.click(within(table).getByRole('button', { name: 'item_price' }));
    expect(partial).toHaveBeenCalledWith({ 'var-feature': 'item_price' }, true);
    partial.mockRestore();
  });

  it("shows the selected feature's reference and current distributions", () => {
    const frames = [...driftFrames(driftSeries, 'A'), distributionFrame(distribution, 'A')];
    expect(distributionOf(frames)).toEqual({ feature: 'item_price', severity: 'critical', psi: 0.41, bins: [{ label: '≤ 10', reference: 0.5, current: 0.2 }, { label: '(10, 20]', reference: 0.5, current: 0.8 }] });
    render(<DriftPanel {...props(frames, DEFAULT_DRIFT_OPTIONS)} />);
    const bins = screen.getByRole('table', { name: 'item_price bins' });
    expect(within(bins).getAllByRole('row').map(r => r.textContent)).toEqual(['≤ 1050.0 % → 20.0 %', '(10, 20]50.0 % → 80.0 %']);
    expect(screen.getByRole('row', { name: /item_price/, selected: true })).toBeInTheDocument();
  });

  it('says when it is loading, failed or has nothing to draw', () => {
    const { unmount } = render(<DriftPanel {...props([], DEFAULT_DRIFT_OPTIONS, LoadingState.Loading)} />);
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    unmount();
    const failed = render(<DriftPanel {...props([], DEFAULT_DRIFT_OPTIONS, LoadingState.Error, { errors: [{ message: 'ModelRails answered 403: not allowed' }] })} />);
    expect(screen.getByText('ModelRails answered 403: not allowed')).toBeInTheDocument();
    failed.unmount();
    render(<DriftPanel {...props([], DEFAULT_DRIFT_OPTIONS)} />);
    expect(screen.getByText('No drift data for this model in the time range')).toBeInTheDocument();
  });
});

const M = 60_000;
const check = (c: Partial<RolloutDetail['decisions'][0]['checks'][0]>) => ({ championN: 900, challengerN: 100, detail: '', comparator: '<=', ...c }) as RolloutDetail['decisions'][0]['checks'][0];
const rollout: RolloutDetail = {
  id: 'r-1',
  modelRef: MODEL,
  version: '8',
  champion: '7',
  promotionId: null,
  router: 'simulated',
  target: 'simulated home-feed',
  stage: 'rolled-back',
  status: 'rolled-back',
  step: null,
  steps: [],
  weight: 0,
  mirrored: false,
  pending: null,
  scaledDown: true,
  stageStartedAt: iso(T0 + 30 * M),
  createdAt: iso(T0),
  updatedAt: iso(T0 + 30 * M),
  endedAt: iso(T0 + 30 * M),
  headline: 'rolled back at canary 25 %: ctr dropped',
  decisions: [
    { id: 4, rolloutId: 'r-1', at: iso(T0 + 30 * M), stage: 'rolled-back', step: null, weight: 0, action: 'rollback', actor: 'plugin:mlops:rollout-engine', reason: 'kpi failed', checks: [
      check({ check: 'error-rate', verdict: 'pass', value: 0.002, threshold: 0.005, championValue: 0.001 }),
      check({ check: 'kpi', verdict: 'fail', value: -0.12, threshold: -0.05, comparator: '>=', championValue: 0.04, interval: [-0.2, -0.06], pValue: 0.001 }),
    ] },
    { id: 3, rolloutId: 'r-1', at: iso(T0 + 20 * M), stage: 'canary', step: 1, weight: 25, action: 'advance', actor: 'plugin:mlops:rollout-engine', reason: 'checks passed', checks: [check({ check: 'error-rate', verdict: 'pass', value: 0.001, threshold: 0.005 })] },
    { id: 2, rolloutId: 'r-1', at: iso(T0 + 10 * M), stage: 'canary', step: 0, weight: 5, action: 'hold', actor: 'plugin:mlops:rollout-engine', reason: 'collecting', checks: [check({ check: 'samples', verdict: 'inconclusive', value: 40, threshold: 100, comparator: '>=' })] },
    { id: 1, rolloutId: 'r-1', at: iso(T0), stage: 'canary', step: 0, weight: 5, action: 'start', actor: 'user:default/ada', reason: 'approved', checks: [] },
  ],
} as unknown as RolloutDetail;

describe('canary panel', () => {
  it('builds the stage timeline, rollback markers and the decision log with its checks', () => {
    const view = canaryView(canaryFrames(rollout, 'C'), T0 + 3 * H)!;
    expect(view.spans).toEqual([
      { stage: 'canary', weight: 5, from: T0, to: T0 + 20 * M },
      { stage: 'canary', weight: 25, from: T0 + 20 * M, to: T0 + 30 * M },
      // Ended: the timeline stops at endedAt, not at the end of the time range.
      { stage: 'rolled-back', weight: 0, from: T0 + 30 * M, to: T0 + 30 * M },
    ]);
    expect(view.rollbacks).toEqual([T0 + 30 * M]);
    expect(view.decisions.map(d => [d.id, d.checks.map(c => c.check), d.movedTraffic])).toEqual([
      [4, ['error-rate', 'kpi'], true],
      [3, ['error-rate'], true],
      [2, ['samples'], false],
      [1, [], true],
    ]);
    expect(view.latestAnalysis?.id).toBe(4);
    expect(view.decisions[0].checks[1]).toMatchObject({ unit: 'percentunit', lower: -0.2, upper: -0.06, championValue: 0.04 });
  });

  it('shows champion vs challenger with the interval, and each check as value vs threshold', () => {
    render(<CanaryPanel {...props(canaryFrames(rollout, 'C'), DEFAULT_CANARY_OPTIONS)} />);
    expect(screen.getByText('rolled back at canary 25 %: ctr dropped')).toBeInTheDocument();
    expect(screen.getByTestId('rollback-marker')).toBeInTheDocument();
    const analysis = screen.getByRole('table', { name: 'Champion vs challenger' });
    const kpi = within(analysis).getByRole('row', { name: /kpi/ });
    expect(within(kpi).getAllByRole('cell').map(c => c.textContent)).toEqual(['4.00%', '-12.00% vs champion', '-20.00% to -6.00%', '≥ -5.00%', 'fail']);
    const log = screen.getByRole('table', { name: 'Decision log' });
    const rows = within(log).getAllByRole('row').slice(1);
    expect(rows.map(r => r.getAttribute('data-action'))).toEqual(['rollback', 'advance', 'hold', 'start']);
    expect(within(rows[2]).getByText('samples 40 ≥ 100')).toHaveAttribute('data-verdict', 'inconclusive');
  });

  it('keeps only traffic changes when asked, and says when there is no rollout', () => {
    const { unmount } = render(<CanaryPanel {...props<CanaryPanelOptions>(canaryFrames(rollout, 'C'), { ...DEFAULT_CANARY_OPTIONS, onlyTrafficChanges: true })} />);
    const rows = within(screen.getByRole('table', { name: 'Decision log' })).getAllByRole('row').slice(1);
    expect(rows.map(r => r.getAttribute('data-action'))).toEqual(['rollback', 'advance', 'start']);
    unmount();
    render(<CanaryPanel {...props([], DEFAULT_CANARY_OPTIONS)} />);
    expect(screen.getByText('This model has no rollout')).toBeInTheDocument();
  });
});

const point = (t: number, value: number | null) => ({ start: iso(t), end: iso(t + H), value, lower: null, upper: null, numerator: null, denominator: null });
const metric = (name: string, kind: 'kpi' | 'operational', unit: 'ratio' | 'ms' | 'currency', sloStatus: 'ok' | 'breach' | 'no-data', slo: { min: number | null; max: number | null } | null, values: Array<number | null>) => ({
  name,
  title: name.toUpperCase(),
  kind,
  unit,
  direction: 'higher-is-better' as const,
  slo,
  sloStatus,
  current: { value: values[values.length - 1], lower: null, upper: null, numerator: null, denominator: null },
  points: values.map((v, i) => point(T0 + i * H, v)),
});
const overview: KpiOverview = {
  from: iso(T0),
  to: iso(T0 + 3 * H),
  stepMs: H,
  currency: 'EUR',
  items: [
    { modelRef: 'model:default/ad-ctr', title: 'Ad CTR', owner: null, lifecycle: null, sloStatus: 'ok', breaches: [], costPer1k: 0.2, predictions: 10, metrics: [metric('ctr', 'kpi', 'ratio', 'ok', { min: 0.01, max: null }, [0.02, 0.03, 0.025])] },
    {
      modelRef: MODEL,
      title: 'Home feed ranker',
      owner: null,
      lifecycle: null,
      sloStatus: 'breach',
      breaches: ['latency_p95'],
      costPer1k: 0.4,
      predictions: 10,
      metrics: [
        metric('throughput', 'operational', 'ratio', 'no-data', null, [1, 2, 3]),
        metric('cost_per_1k', 'operational', 'currency', 'no-data', null, [0.4, 0.4, 0.4]),
        metric('latency_p95', 'operational', 'ms', 'breach', { min: null, max: 120 }, [80, 130, 150]),
        metric('ctr', 'kpi', 'ratio', 'ok', { min: 0.03, max: null }, [0.041, null, 0.05]),
        metric('conversion', 'kpi', 'ratio', 'ok', null, [0.004, 0.005, 0.006]),
      ],
    },
  ],
};

describe('KPI panel', () => {
  it("puts breaching models first with the policy KPIs, then the chosen operational metrics in the options' order", () => {
    const cards = kpiGrid(kpiOverviewFrames(overview, 'K'), DEFAULT_KPI_OPTIONS);
    expect(cards.map(c => [c.title, c.sloStatus])).toEqual([
      ['Home feed ranker', 'breach'],
      ['Ad CTR', 'ok'],
    ]);
    expect(cards[0].tiles.map(t => t.metric)).toEqual(['ctr', 'conversion', 'latency_p95', 'cost_per_1k']);
    expect(cards[0].tiles[0].points.map(p => p.value)).toEqual([0.041, null, 0.05]);
    // A model without any chosen metric has no card.
    expect(kpiGrid(kpiOverviewFrames(overview, 'K'), { metrics: ['cost_per_1k'], sort: 'title' }).map(c => [c.title, c.tiles.map(t => t.metric)])).toEqual([['Home feed ranker', ['cost_per_1k']]]);
    expect(kpiGrid(kpiOverviewFrames(overview, 'K'), { metrics: ['kpis'], sort: 'title' }).map(c => c.title)).toEqual(['Ad CTR', 'Home feed ranker']);
  });

  const kpiReportOf = () =>
    ({
      modelRef: MODEL,
      from: iso(T0),
      to: iso(T0 + 3 * H),
      stepMs: H,
      version: null,
      segmentTags: ['country'],
      provisionalFrom: iso(T0 + 2 * H),
      currency: 'EUR',
      latencyRelativeError: 0.01,
      metrics: [
        { ...metric('ctr', 'kpi', 'ratio', 'ok', null, []), definition: 'clicks / predictions', proportion: true, series: [
          { segment: '*', current: { value: 0.04, lower: 0.03, upper: 0.05, numerator: 4, denominator: 100 }, points: [point(T0, 0.04)] },
          { segment: 'country=DE', current: { value: 0.9, lower: null, upper: null, numerator: 9, denominator: 10 }, points: [] },
        ] },
      ],
      versions: [],
      versionChanges: [{ at: iso(T0 + H), from: '7', to: '8' }],
    }) as unknown as KpiReport;

  it("adds a model report's version changes and ignores its segment series", () => {
    const [card] = kpiGrid(kpiReportFrames(kpiReportOf(), 'K', 'home-feed-ranker'), DEFAULT_KPI_OPTIONS);
    expect(card.tiles.map(t => [t.metric, t.value, t.lower, t.upper, t.definition])).toEqual([['ctr', 0.04, 0.03, 0.05, 'clicks / predictions']]);
    expect(card.versionChanges).toEqual([{ time: T0 + H, from: '7', to: '8' }]);
  });

  it('renders values in their units with SLO bands, breaches and version markers', () => {
    render(<KpiPanel {...props(kpiOverviewFrames(overview, 'K'), DEFAULT_KPI_OPTIONS)} />);
    const home = screen.getByRole('listitem', { name: 'Home feed ranker' });
    expect(home).toHaveAttribute('data-slo', 'breach');
    const p95 = home.querySelector('[data-metric="latency_p95"]') as HTMLElement;
    expect(p95).toHaveAttribute('data-slo', 'breach');
    expect(p95).toHaveTextContent('150 ms');
    expect(p95).toHaveTextContent('SLO ≤ 120 ms');
    expect(p95.querySelector('[data-testid="slo-band"]')).not.toBeNull();
    expect(home.querySelector('[data-metric="ctr"]')).toHaveTextContent('5.00%');
    expect(home.querySelector('[data-metric="conversion"]')).toHaveTextContent('no SLO');
    expect(home.querySelector('[data-metric="conversion"] [data-testid="slo-band"]')).toBeNull();
  });

  it('shows performance estimated before labels with its interval, and the realised value once labels mature', () => {
    const window = (start: number, estimated: number | null, realised: number | null) => ({
      day: iso(start).slice(0, 10),
      start: iso(start),
      matured: realised !== null,
      n: realised === null ? 0 : 1200,
      positives: 40,
      auc: realised,
      logLoss: null,
      precision: null,
      recall: null,
      ndcg: null,
      estimated:
        estimated === null
          ? null
          : { n: 1500, of: 1500, versions: ['6'], uncalibrated: [], auc: { value: estimated, lower: estimated - 0.03, upper: estimated + 0.02 }, precision: null, recall: null },
    });
    const report: GetEvaluation200Response = {
      modelRef: MODEL,
      outcome: 'chargeback',
      threshold: 0.5,
      k: 10,
      maturity: '30d',
      step: '1h',
      days: [window(T0, 0.71, 0.69), window(T0 + H, 0.7, null), window(T0 + 2 * H, null, null)],
    };
    const frames = [...kpiReportFrames(kpiReportOf(), 'K', 'home-feed-ranker'), ...performanceFrames(report, 'P', 'home-feed-ranker')];
    const options: KpiPanelOptions = { ...DEFAULT_KPI_OPTIONS, metrics: ['kpis', 'performance'] };
    const [card] = kpiGrid(frames, options);
    expect(card.tiles.map(t => [t.metric, t.value, t.lower, t.upper, t.note])).toEqual([
      ['ctr', 0.04, 0.03, 0.05, undefined],
      ['estimated_auc', 0.7, 0.7 - 0.03, 0.7 + 0.02, 'realised 0.690 on 1,200 labelled'],
      ['estimated_precision', null, null, null, 'labels not matured (count once 30d old)'],
      ['estimated_recall', null, null, null, 'labels not matured (count once 30d old)'],
    ]);
    expect(card.tiles[1].points.map(p => p.value)).toEqual([0.71, 0.7, null]);
    // Left out unless the options ask for it.
    expect(kpiGrid(frames, DEFAULT_KPI_OPTIONS)[0].tiles.map(t => t.metric)).not.toContain('estimated_auc');

    render(<KpiPanel {...props(frames, options)} />);
    const tile = document.querySelector('[data-metric="estimated_auc"]') as HTMLElement;
    expect(tile).toHaveTextContent('ROC AUC, estimated');
    expect(tile).toHaveTextContent('realised 0.690 on 1,200 labelled');
    expect(tile).toHaveTextContent(/95 % 0\.67\d*–0\.72/);
  });

  it('says when there is nothing to show', async () => {
    render(<KpiPanel {...props([], DEFAULT_KPI_OPTIONS)} />);
    await act(async () => undefined);
    expect(screen.getByText('No KPI data for these models in the time range')).toBeInTheDocument();
  });
});
