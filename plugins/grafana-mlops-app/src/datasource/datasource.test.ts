import { DataQueryRequest, DataSourceInstanceSettings, FieldType } from '@grafana/data';
import { of, throwError } from 'rxjs';
import { MlopsDataSource } from './datasource';
import { MlopsDataSourceOptions, MlopsQuery, ModelPolicyView } from './types';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
  getTemplateSrv: () => ({
    replace: (text: string) => text.replace('$model', 'default/home-feed-ranker'),
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

function request(targets: MlopsQuery[]) {
  return { targets, scopedVars: {} } as unknown as DataQueryRequest<MlopsQuery>;
}

describe('MlopsDataSource', () => {
  beforeEach(() => fetch.mockReset());

  it('checks health through the data proxy route', async () => {
    fetch.mockReturnValue(of({ data: { status: 'ok', database: { client: 'pg', reachable: true, migrations: [] } } }));
    const ds = new MlopsDataSource(settings);
    await expect(ds.testDatasource()).resolves.toEqual({ status: 'success', message: 'Connected to ModelRails (pg)' });
    expect(fetch).toHaveBeenCalledWith({ url: '/api/datasources/proxy/uid/mr/mlops/health', method: 'GET' });
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
    const result = await ds.query(request([{ refId: 'A', hide: true, model: 'x' }, { refId: 'B' }]));
    expect(result.data).toEqual([]);
    await expect(ds.query(request([{ refId: 'C', model: 'a/b/c' }]))).rejects.toThrow(/not a model reference/);
    expect(fetch).not.toHaveBeenCalled();
  });
});
