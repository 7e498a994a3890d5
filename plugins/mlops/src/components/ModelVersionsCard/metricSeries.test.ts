import { ModelVersionList } from '@modelrails/plugin-mlops-common';
import { metricSeries } from './MetricsAcrossVersions';

const gate = (metric: string, value: number, bound: number, name = 'champion-relative') => ({ kind: name, name, rule: '', advisory: false, status: value >= bound ? 'pass' : 'fail', value, threshold: 0, metric, bound, reason: '' });

describe('gate metrics across versions', () => {
  it('charts each metric a gate reads, oldest version first, with the bound each version was judged against', () => {
    const list = {
      modelRef: 'model:default/m',
      champion: '2',
      items: [
        { version: '3', metrics: { 'ndcg@20': 0.171, auc: 0.8 }, gates: { results: [gate('ndcg@20', 0.171, 0.1735), gate('ndcg@20', 0.171, 0.17, 'metric-floor')] } },
        { version: '2', metrics: { 'ndcg@20': 0.177, auc: 0.81 }, gates: { results: [gate('ndcg@20', 0.177, 0.17, 'metric-floor')] } },
        { version: '1', metrics: { 'ndcg@20': 0.186 } },
      ],
    } as unknown as ModelVersionList;
    const [ndcg, ...rest] = metricSeries(list);
    // auc is reported but no gate reads it: not charted.
    expect(rest).toEqual([]);
    expect(ndcg.metric).toBe('ndcg@20');
    expect(ndcg.points).toEqual([
      { version: 'v1', value: 0.186, bound: null, champion: false },
      { version: 'v2', value: 0.177, bound: 0.17, champion: true },
      // Of two gates on one metric, the one it failed.
      { version: 'v3', value: 0.171, bound: 0.1735, champion: false },
    ]);
  });
});
