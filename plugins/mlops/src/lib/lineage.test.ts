import { LineageGraph } from '@modelrails/plugin-mlops-common';
import { age, formatComparison, parseLineageRoot, shortName, toGraphNodes } from './lineage';

describe('lineage helpers', () => {
  it('parses the roots the page can open, and nothing else', () => {
    expect(parseLineageRoot('model:model:default/home-feed-ranker@17')).toEqual({
      kind: 'model',
      ref: { kind: 'model', namespace: 'default', name: 'home-feed-ranker' },
      version: '17',
    });
    expect(parseLineageRoot('dataset:resource:team-a/orders@2026-11-01')).toEqual({
      kind: 'dataset',
      ref: { kind: 'resource', namespace: 'team-a', name: 'orders' },
      version: '2026-11-01',
    });
    expect(parseLineageRoot('dataset:component:default/x@1')).toBeUndefined();
    expect(parseLineageRoot('run:ci:abc')).toBeUndefined();
    expect(parseLineageRoot('model:model:default/m')).toBeUndefined();
    expect(parseLineageRoot('')).toBeUndefined();
  });

  it('orders nodes from data to deployment and flags the root and unreproducible versions', () => {
    const graph: LineageGraph = {
      root: 'model:model:default/m@1',
      depth: 2,
      truncated: false,
      edges: [],
      nodes: [
        { id: 'deployment:x', kind: 'deployment', label: 'production · 100 %', attributes: {} },
        { id: 'model:model:default/m@1', kind: 'model-version', label: 'm v1', attributes: { reproducible: false } },
        { id: 'dataset:resource:default/d@1', kind: 'dataset-version', label: 'd @ 1', attributes: {} },
      ],
    };
    expect(toGraphNodes(graph).map(n => [n.kind, n.isRoot, n.notReproducible])).toEqual([
      ['dataset-version', false, false],
      ['model-version', true, true],
      ['deployment', false, false],
    ]);
  });

  it('formats ages, comparisons and names', () => {
    const now = Date.parse('2026-11-23T00:00:00Z');
    expect(age('2026-11-22T00:00:00Z', now)).toBe('1 day ago');
    expect(age('2026-11-09T00:00:00Z', now)).toBe('2 weeks ago');
    expect(age('2026-11-22T23:59:30Z', now)).toBe('just now');
    expect(formatComparison(0.171, -0.0339)).toBe('0.171 (−3.39\u00a0%)');
    expect(formatComparison(0.183, 0.0339)).toBe('0.183 (+3.39\u00a0%)');
    expect(formatComparison(12)).toBe('12');
    expect(shortName('resource:default/orders')).toBe('orders');
  });
});
