import { dateTime, DataQueryRequest, DataSourceInstanceSettings, FieldType, formattedValueToString, getValueFormat } from '@grafana/data';
import type { DriftSeries, FeatureDistribution, KpiReport, ModelEvent, RolloutDetail } from '@modelrails/plugin-mlops-common';
import { of, throwError } from 'rxjs';
import { MlopsDataSource } from './datasource';
import { grafanaUnit } from './mlopsFrames';
import { alignedWindow, stepFor } from './window';
import { MlopsDataSourceOptions, MlopsQuery, ModelPolicyView } from './types';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
  getTemplateSrv: () => ({
    // `$models` is a multi-value variable: Grafana's default format wraps it in braces, csv joins it.
    replace: (text: string, _vars: unknown, format?: string) =>
      text.replace('$models', format === 'csv' ? 'default/home-feed-ranker,default/ad-ctr' : '{default/home-feed-ranker,default/ad-ctr}').replace('$model', 'default/home-feed-ranker'),
  }),
}));

const settings = {
  id: 1,
  uid: 'mr',
  type: 'modelrails-mlops-datasource',
  name: 'ModelRails',
  url: '/api/datasources/proxy/uid/mr',
  jsonData: { backstageUrl: 'http://backstage:7007' },
  meta: {},
  readOnly: false,
  access: 'proxy',
} as unknown as DataSourceInstanceSettings<MlopsDataSourceOptions>;

const view: ModelPolicyView = {
  entityRef: 'model:default/home-feed-ranker',
  type: 'ranker',
  lifecycle: 'production',
  sections: [
    { title: 'Validation gates', lines: [{ label: 'metric-floor', value: 'ndcg@20 ≥ 0.17' }] },
    { title: 'Rollout', lines: [{ label: 'canary steps', value: '5 % → 100 %' }, { label: 'analysis interval', value: '1m' }] },
  ],
};

const FROM = Date.UTC(2026, 10, 23, 0, 3);
const TO = Date.UTC(2026, 10, 24, 0, 1);

function request(targets: MlopsQuery[], intervalMs = 60_000) {
  return { targets, scopedVars: {}, intervalMs, range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-24h', to: 'now' } } } as unknown as DataQueryRequest<MlopsQuery>;
}

/** Answers by path (after the proxy prefix); anything else is a 404 as the backend gives it. */
function answer(routes: Record<string, unknown>) {
  fetch.mockImplementation(({ url }: { url: string }) => {
    const path = url.replace('/api/datasources/proxy/uid/mr/mlops', '');
    const key = Object.keys(routes).find(k => path === k || path.startsWith(`${k}?`));
    return key ? of({ data: routes[key] }) : throwError(() => ({ status: 404, statusText: 'Not Found', data: { error: { message: `no ${path}` } } }));
  });
}
const calledPaths = () => fetch.mock.calls.map(([{ url }]: [{ url: string }]) => decodeURIComponent(url.replace('/api/datasources/proxy/uid/mr/mlops', '')));

describe('MlopsDataSource', () => {
  beforeEach(() => fetch.mockReset());

  it('checks health and that the token may read models, through the data proxy route', async () => {
    answer({ '/health': { status: 'ok', database: { client: 'pg', reachable: true, migrations: [] } }, '/models': { items: [] } });
    const ds = new MlopsDataSource(settings);
    await expect(ds.testDatasource()).resolves.toEqual({ status: 'success', message: 'Connected to ModelRails (pg)' });
    expect(fetch).toHaveBeenCalledWith({ url: '/api/datasources/proxy/uid/mr/mlops/health', method: 'GET' });
    expect(calledPaths()).toEqual(['/health', '/models']);
  });

  it('reports a degraded backend and an HTTP error clearly', async () => {
    const ds = new MlopsDataSource(settings);
    fetch.mockReturnValue(of({ data: { status: 'degraded', database: { client: 'pg', reachable: false, migrations: [] } } }));
    await expect(ds.testDatasource()).resolves.toMatchObject({ status: 'error', message: expect.stringContaining('degraded') });
    fetch.mockReturnValue(
      throwError(() => ({ status: 401, statusText: 'Unauthorized', data: { error: { message: 'Missing credentials' } } })),
    );
    await expect(ds.testDatasource()).resolves.toEqual({
      status: 'error',
      message: 'ModelRails answered 401: Missing credentials',
    });
  });

  it('turns a model policy into a table frame with the documented fields', async () => {
    fetch.mockReturnValue(of({ data: view }));
    const ds = new MlopsDataSource(settings);
    const result = await ds.query(request([{ refId: 'A', queryType: 'policy', model: '$model' }]));
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/datasources/proxy/uid/mr/mlops/models/default/home-feed-ranker/policy',
      method: 'GET',
    });
    const [frame] = result.data;
    expect(frame.refId).toBe('A');
    expect(frame.name).toBe('model:default/home-feed-ranker');
    expect(frame.fields.map((f: { name: string; type: FieldType }) => [f.name, f.type])).toEqual([
      ['section', FieldType.string],
      ['rule', FieldType.string],
      ['value', FieldType.string],
    ]);
    expect(frame.fields[1].values).toEqual(['metric-floor', 'canary steps', 'analysis interval']);
    expect(frame.fields[0].values).toEqual(['Validation gates', 'Rollout', 'Rollout']);
  });

  it('skips hidden and empty queries, and refuses a malformed model before any request', async () => {
    const ds = new MlopsDataSource(settings);
    const result = await ds.query(request([{ refId: 'A', hide: true, model: 'x' }, { refId: 'B', queryType: 'drift' }]));
    expect(result.data).toEqual([]);
    await expect(ds.query(request([{ refId: 'C', model: 'a/b/c' }]))).rejects.toThrow(/not a model reference/);
    expect(fetch).not.toHaveBeenCalled();
  });
});

const MODEL = 'model:default/home-feed-ranker';
const point = (start: string, value: number | null, lower: number | null = null, upper: number | null = null) => ({ start, end: start, value, lower, upper, numerator: 3, denominator: 100 });
const kpiReport: KpiReport = {
  modelRef: MODEL,
  from: '2026-11-23T00:00:00.000Z',
  to: '2026-11-24T00:05:00.000Z',
  stepMs: 3_600_000,
  version: null,
  segmentTags: [],
  provisionalFrom: '2026-11-23T23:00:00.000Z',
  currency: 'EUR',
  latencyRelativeError: 0.01,
  metrics: [
    {
      name: 'ctr',
      title: 'CTR',
      kind: 'kpi',
      unit: 'ratio',
      direction: 'higher-is-better',
      definition: 'click outcomes / predictions',
      proportion: true,
      slo: { min: 0.05, max: null },
      sloStatus: 'breach',
      series: [{ segment: '*', current: { value: 0.03, lower: 0.01, upper: 0.08, numerator: 3, denominator: 100 }, points: [point('2026-11-23T00:00:00.000Z', 0.03, 0.01, 0.08)] }],
    },
    {
      name: 'cost_per_1k',
      title: 'Cost per 1K predictions',
      kind: 'operational',
      unit: 'currency',
      direction: 'lower-is-better',
      definition: 'replica-hours',
      proportion: false,
      slo: null,
      sloStatus: 'ok',
      series: [{ segment: '*', current: { value: 0.2, lower: null, upper: null, numerator: 1, denominator: 5000 }, points: [point('2026-11-23T00:00:00.000Z', 0.2)] }],
    },
  ],
  versions: [],
  versionChanges: [{ at: '2026-11-23T12:00:00.000Z', from: '6', to: '7' }],
} as unknown as KpiReport;

const cell = (severity: string, psi: number | null, violations: string[] = []) => ({ n: 500, test: 'psi', severity, psi, pValue: null, jensenShannon: 0.01, violations });
const driftSeries = {
  modelRef: MODEL,
  version: '7',
  segment: '*',
  from: '2026-11-23T00:00:00.000Z',
  to: '2026-11-24T00:00:00.000Z',
  stepMs: 43_200_000,
  reference: { kind: 'training', version: '7' },
  steps: [
    { start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T12:00:00.000Z', events: 500 },
    { start: '2026-11-23T12:00:00.000Z', end: '2026-11-24T00:00:00.000Z', events: 500 },
  ],
  features: [
    { feature: 'item_price', kind: 'numeric', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('none', 0.02), cell('critical', 0.4)] },
    { feature: 'user_country', kind: 'categorical', thresholds: { warning: 0.1, critical: 0.25 }, cells: [cell('none', 0.01), cell('none', 0.03, ['type-change'])] },
  ],
  violations: [{ feature: 'user_country', segment: '*', check: 'type-change', value: 1, threshold: 0.01, firstBucket: '2026-11-23T12:00:00.000Z', lastBucket: '2026-11-23T12:00:00.000Z', open: false, flagged: true }],
} as unknown as DriftSeries;

describe('MlopsDataSource query types', () => {
  beforeEach(() => fetch.mockReset());
  const fields = (frame: { fields: Array<{ name: string; values: unknown }> }) => Object.fromEntries(frame.fields.map(f => [f.name, Array.from(f.values as ArrayLike<unknown>)]));

  it('aligns the window to 5-minute buckets and picks the smallest backend step that fits', () => {
    expect(alignedWindow(FROM, TO)).toEqual({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:05:00.000Z', ms: 24 * 3_600_000 + 300_000 });
    expect(stepFor(24 * 3_600_000, 60_000, 500)).toBe('5m');
    expect(stepFor(30 * 24 * 3_600_000, 60_000, 500)).toBe('3h');
    expect(stepFor(24 * 3_600_000, 3_600_000, 500)).toBe('1h');
    expect(stepFor(3 * 365 * 24 * 3_600_000, 60_000, 500)).toBe('7d');
  });

  it('turns a KPI report into a frame per metric and segment with units, SLO and the version changes', async () => {
    answer({ '/models/default/home-feed-ranker/kpis': kpiReport });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'K', queryType: 'kpi', model: '$model', segment: 'platform' }], 3_600_000));
    expect(calledPaths()).toEqual(['/models/default/home-feed-ranker/kpis?from=2026-11-23T00:00:00.000Z&to=2026-11-24T00:05:00.000Z&step=1h&segments=platform']);
    const [ctr, cost, changes] = data;
    expect(ctr.meta.custom).toMatchObject({ kind: 'kpi', model: MODEL, metric: 'ctr', slo: { min: 0.05, max: null }, sloStatus: 'breach', current: { value: 0.03, lower: 0.01, upper: 0.08 } });
    expect(fields(ctr)).toMatchObject({ time: [Date.UTC(2026, 10, 23)], value: [0.03], lower: [0.01], upper: [0.08] });
    expect(ctr.fields[1]).toMatchObject({ labels: { model: MODEL, metric: 'ctr', segment: '*' }, config: { unit: 'percentunit', displayName: 'CTR' } });
    expect(cost.fields[1].config.unit).toBe('currencyEUR');
    expect(changes.meta.custom.kind).toBe('version-changes');
    expect(fields(changes)).toEqual({ time: [Date.UTC(2026, 10, 23, 12)], from: ['6'], to: ['7'] });
  });

  it('asks for hourly performance windows up to two days and daily ones beyond, a frame per metric', async () => {
    const evaluation = {
      modelRef: MODEL,
      outcome: 'click',
      threshold: 0.5,
      k: 10,
      maturity: '1h',
      step: '1h',
      days: [
        { day: '2026-11-23', start: '2026-11-23T22:00:00.000Z', matured: true, n: 900, positives: 30, auc: 0.74, logLoss: 0.3, precision: 0.2, recall: 0.1, ndcg: null,
          estimated: { n: 1000, of: 1100, versions: ['7'], uncalibrated: ['8'], auc: { value: 0.75, lower: 0.71, upper: 0.78 }, precision: null, recall: { value: 0.12, lower: 0.05, upper: 0.2 } } },
        { day: '2026-11-23', start: '2026-11-23T23:00:00.000Z', matured: false, n: 0, positives: 0, auc: null, logLoss: null, precision: null, recall: null, ndcg: null, estimated: null },
      ],
    };
    answer({ '/models/default/home-feed-ranker/evaluation': evaluation });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'P', queryType: 'performance', model: '$model' }]));
    expect(calledPaths()).toEqual(['/models/default/home-feed-ranker/evaluation?step=1h&days=25']);
    const [auc, precision] = data;
    expect(auc.meta.custom).toMatchObject({ kind: 'performance', model: MODEL, metric: 'estimated_auc', current: { value: 0.75, lower: 0.71, upper: 0.78 }, realised: { value: 0.74, n: 900 } });
    expect(fields(auc)).toEqual({ time: [Date.UTC(2026, 10, 23, 22), Date.UTC(2026, 10, 23, 23)], value: [0.75, null], lower: [0.71, null], upper: [0.78, null], realised: [0.74, null] });
    expect(precision.meta.custom).toMatchObject({ current: { value: null }, realised: { value: 0.2 } });

    fetch.mockClear();
    const week = { ...request([{ refId: 'P', queryType: 'performance', model: '$model' }]), range: { from: dateTime(TO - 7 * 86_400_000), to: dateTime(TO), raw: { from: 'now-7d', to: 'now' } } };
    await ds.query(week as unknown as DataQueryRequest<MlopsQuery>);
    expect(calledPaths()).toEqual(['/models/default/home-feed-ranker/evaluation?step=1d&days=8']);
  });

  it('reads the drift backtest as a table, a row per feature and check', async () => {
    const backtest = {
      modelRef: MODEL,
      from: '2026-10-24T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      stepMs: 86_400_000,
      horizonMs: 3 * 86_400_000,
      maturedUntil: '2026-11-23T11:00:00.000Z',
      changes: [{ metric: 'ctr', title: 'CTR', kind: 'drop', start: '2026-11-20T00:00:00.000Z', value: 0.04 }],
      unexplained: 0,
      signals: [
        { feature: 'item_price', check: 'psi', alarms: 2, followed: 1, precision: 0.5, missed: 0, missRate: 0, followedMostBy: 'CTR', lowered: false, summary: 'PSI drift in item_price preceded a change in CTR 1 of 2 times' },
        { feature: 'user_age', check: 'ks', alarms: 3, followed: 0, precision: 0, missed: 1, missRate: 1, followedMostBy: null, lowered: true, summary: 'KS drift in user_age was followed by no KPI change (3 alarms): reported one tier lower' },
      ],
      rule: { lowerSeverity: true, minAlarms: 3, maxPrecision: 0.2 },
    };
    answer({ '/models/default/home-feed-ranker/drift/backtest': backtest });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'B', queryType: 'backtest', model: '$model' }]));
    expect(calledPaths()).toEqual(['/models/default/home-feed-ranker/drift/backtest']);
    const [table] = data;
    expect(table.meta.custom).toMatchObject({ kind: 'backtest', model: MODEL, horizonMs: 3 * 86_400_000, unexplained: 0, rule: { lowerSeverity: true } });
    expect(fields(table)).toEqual({
      feature: ['item_price', 'user_age'],
      check: ['psi', 'ks'],
      alarms: [2, 3],
      followed: [1, 0],
      precision: [0.5, 0],
      missed: [0, 1],
      lowered: [false, true],
      summary: [backtest.signals[0].summary, backtest.signals[1].summary],
    });
    expect(table.fields[5].config.displayName).toBe('changes missed (of 1)');
  });

  it('asks for the overview of every model when a KPI query names none', async () => {
    answer({ '/kpis': { from: '', to: '', stepMs: 3_600_000, currency: 'USD', items: [{ modelRef: MODEL, title: 'Home feed', metrics: [{ ...kpiReport.metrics[0], current: kpiReport.metrics[0].series[0].current, points: kpiReport.metrics[0].series[0].points }] }] } });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'O', queryType: 'kpi' }]));
    expect(calledPaths()).toEqual(['/kpis?window=1445m&step=5m']);
    expect(data.map((f: any) => [f.name, f.meta.custom.model, f.meta.custom.metric])).toEqual([['Home feed CTR', MODEL, 'ctr']]);
  });

  it("turns a drift series into a frame per feature with the backend's severities, and adds the selected feature's distributions", async () => {
    const distribution = {
      modelRef: MODEL,
      version: '7',
      segment: '*',
      feature: 'item_price',
      window: { from: '', to: '' },
      drift: { feature: 'item_price', severity: 'critical' },
      bins: [
        { label: '≤ 5', lower: null, upper: 5, reference: 0.5, current: 0.2 },
        { label: '> 5', lower: 5, upper: null, reference: 0.5, current: 0.8 },
      ],
    } as unknown as FeatureDistribution;
    answer({ '/models/default/home-feed-ranker/drift/series': driftSeries, '/models/default/home-feed-ranker/drift/distribution': distribution });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'D', queryType: 'drift', model: 'default/home-feed-ranker', feature: 'item_price' }], 43_200_000));
    expect(calledPaths()).toEqual([
      '/models/default/home-feed-ranker/drift/series?from=2026-11-23T00:00:00.000Z&to=2026-11-24T00:05:00.000Z&step=12h',
      '/models/default/home-feed-ranker/drift/distribution?from=2026-11-23T00:00:00.000Z&to=2026-11-24T00:05:00.000Z&feature=item_price&version=7',
    ]);
    const [price, country, bins] = data;
    expect(fields(price)).toEqual({ time: [Date.UTC(2026, 10, 23), Date.UTC(2026, 10, 23, 12)], psi: [0.02, 0.4], severity: ['none', 'critical'], n: [500, 500], pValue: [null, null], violations: ['', ''] });
    expect(price.meta.custom).toMatchObject({ kind: 'drift', feature: 'item_price', thresholds: { warning: 0.1, critical: 0.25 } });
    expect(fields(country).violations).toEqual(['', 'type-change']);
    expect(bins.meta.custom).toMatchObject({ kind: 'distribution', feature: 'item_price', drift: { severity: 'critical' } });
    expect(fields(bins)).toEqual({ bin: ['≤ 5', '> 5'], reference: [0.5, 0.5], current: [0.2, 0.8] });
  });

  it('lists contract violations as a table', async () => {
    answer({ '/models/default/home-feed-ranker/drift/series': driftSeries });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'C', queryType: 'contract', model: 'default/home-feed-ranker', segment: 'platform=ios' }]));
    expect(calledPaths()[0]).toContain('segment=platform=ios');
    expect(fields(data[0])).toEqual({
      feature: ['user_country'],
      segment: ['*'],
      check: ['type-change'],
      value: [1],
      threshold: [0.01],
      first: [Date.UTC(2026, 10, 23, 12)],
      last: [Date.UTC(2026, 10, 23, 12)],
      open: [false],
    });
  });

  it("reads the model's newest rollout into a stage timeline and its checks, oldest first", async () => {
    const detail = {
      id: 'r-1',
      modelRef: MODEL,
      version: '7',
      decisions: [
        { id: 2, at: '2026-11-23T10:05:00.000Z', stage: 'rolled-back', weight: 0, action: 'rollback', actor: 'plugin:mlops:rollout-engine', reason: 'error rate', checks: [{ check: 'error-rate', verdict: 'fail', value: 0.012, threshold: 0.005, comparator: '<=', championN: 900, challengerN: 100, detail: '1.2 % > 0.5 %' }] },
        { id: 1, at: '2026-11-23T10:00:00.000Z', stage: 'canary', weight: 5, action: 'start', actor: 'user:default/ada', reason: 'approved', checks: [] },
      ],
    } as unknown as RolloutDetail;
    answer({ '/models/default/home-feed-ranker/rollouts': { items: [{ id: 'r-1' }, { id: 'r-0' }] }, '/rollouts/r-1': detail });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'R', queryType: 'canary', model: 'default/home-feed-ranker' }]));
    const [stages, checks] = data;
    expect(fields(stages)).toMatchObject({ id: [1, 2], stage: ['canary', 'rolled-back'], weight: [5, 0], action: ['start', 'rollback'] });
    expect(fields(checks)).toMatchObject({ decision: [2], check: ['error-rate'], verdict: ['fail'], value: [0.012], threshold: [0.005], unit: ['percentunit'], lower: [null] });
    expect(stages.meta.custom.rollout).toMatchObject({ id: 'r-1', version: '7' });
    expect(stages.meta.custom.rollout.decisions).toBeUndefined();
  });

  it('gives promotions and rollouts as annotation frames', async () => {
    const events: ModelEvent[] = [{ at: '2026-11-23T09:00:00.000Z', kind: 'promotion-approved', version: '7', title: 'v7 approved for production', text: 'gates green', actor: 'user:default/grace', link: { kind: 'promotion', id: 'p' } }];
    answer({ '/models/default/home-feed-ranker/events': { items: events } });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'E', queryType: 'annotations', model: 'default/home-feed-ranker' }]));
    expect(fields(data[0])).toMatchObject({ time: [Date.UTC(2026, 10, 23, 9)], title: ['v7 approved for production'], text: ['gates green — by user:default/grace'], tags: [['promotion-approved', 'v7']] });
  });

  it('asks once per model of a multi-value model variable', async () => {
    answer({ '/models/default/home-feed-ranker/events': { items: [] }, '/models/default/ad-ctr/events': { items: [] } });
    const ds = new MlopsDataSource(settings);
    const { data } = await ds.query(request([{ refId: 'E', queryType: 'annotations', model: '$models' }]));
    expect(data.map(f => f.meta.custom.model)).toEqual(['model:default/home-feed-ranker', 'model:default/ad-ctr']);
    expect(calledPaths().map(p => p.split('?')[0])).toEqual(['/models/default/home-feed-ranker/events', '/models/default/ad-ctr/events']);
  });

  it('answers the variable queries models() and features(model), and refuses anything else', async () => {
    answer({ '/models': { items: [{ entityRef: MODEL, title: 'Home feed ranker' }] }, '/models/default/home-feed-ranker/drift/series': driftSeries });
    const ds = new MlopsDataSource(settings);
    await expect(ds.metricFindQuery('models()')).resolves.toEqual([{ text: 'Home feed ranker', value: 'default/home-feed-ranker' }]);
    await expect(ds.metricFindQuery('features($model)')).resolves.toEqual([
      { text: 'item_price', value: 'item_price' },
      { text: 'user_country', value: 'user_country' },
    ]);
    await expect(ds.metricFindQuery('labels()')).rejects.toThrow(/models\(\) or features/);
  });

  it('passes the backend error on, naming what was refused', async () => {
    answer({});
    const ds = new MlopsDataSource(settings);
    await expect(ds.query(request([{ refId: 'D', queryType: 'drift', model: 'default/nobody' }]))).rejects.toMatchObject({ status: 404 });
  });
});

describe('units of the backend metrics', () => {
  it("formats an LLM's tokens and decode rate with Grafana's own value formats", () => {
    const format = (unit: Parameters<typeof grafanaUnit>[0], value: number) => formattedValueToString(getValueFormat(grafanaUnit(unit, 'USD'))(value, 1));
    expect(format('tokens', 412.3)).toBe('412.3 tokens');
    expect(format('tokens-per-second', 42.17)).toBe('42.2 tokens/s');
    expect(format('ms', 250)).toBe('250.0 ms');
    expect(format('currency', 2.5)).toBe('$2.5');
  });
});
