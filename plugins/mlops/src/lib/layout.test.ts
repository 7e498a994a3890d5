import { layoutLineage, NODE_HEIGHT, nodeWidth } from './layout';

describe('layoutLineage', () => {
  const nodes = [
    { id: 'dep', kind: 'deployment' as const, label: 'production · 100 %' },
    { id: 'mv-b', kind: 'model-version' as const, label: 'b v1' },
    { id: 'mv-a', kind: 'model-version' as const, label: 'a v1' },
    { id: 'run-1', kind: 'training-run' as const, label: 'run 1' },
    { id: 'run-2', kind: 'training-run' as const, label: 'run 2' },
    { id: 'd1', kind: 'dataset-version' as const, label: 'd1' },
    { id: 'd2', kind: 'dataset-version' as const, label: 'd2' },
  ];
  const edges = [
    { from: 'd1', to: 'run-1' },
    { from: 'd2', to: 'run-2' },
    { from: 'run-2', to: 'mv-a' },
    { from: 'run-1', to: 'mv-b' },
    { from: 'mv-b', to: 'dep' },
  ];

  it('puts each kind in its own column, data on the left and deployments on the right', () => {
    const layout = layoutLineage(nodes, edges);
    const x = Object.fromEntries(layout.nodes.map(n => [n.id, n.x]));
    expect(x.d1).toBe(x.d2);
    expect(x.d1).toBeLessThan(x['run-1']);
    expect(x['run-1']).toBeLessThan(x['mv-a']);
    expect(x['mv-a']).toBeLessThan(x.dep);
  });

  it('orders rows after their upstream neighbours, so edges do not cross needlessly', () => {
    const layout = layoutLineage(nodes, edges);
    const y = Object.fromEntries(layout.nodes.map(n => [n.id, n.y]));
    // mv-b comes from run-1 (row 0), mv-a from run-2 (row 1): b above a although listed after.
    expect(y['mv-b']).toBeLessThan(y['mv-a']);
    expect(new Set(layout.nodes.map(n => `${n.x},${n.y}`)).size).toBe(nodes.length);
  });

  it('draws every edge from the right side of its source to the left side of its target', () => {
    const layout = layoutLineage(nodes, edges);
    const byId = Object.fromEntries(layout.nodes.map(n => [n.id, n]));
    expect(layout.edges).toHaveLength(edges.length);
    const e = layout.edges.find(x => x.from === 'd1')!;
    expect(e.path.startsWith(`M${byId.d1.x + byId.d1.width},${byId.d1.y + NODE_HEIGHT / 2}`)).toBe(true);
    expect(e.path.endsWith(`${byId['run-1'].x},${byId['run-1'].y + NODE_HEIGHT / 2}`)).toBe(true);
  });

  it('ignores edges to nodes it was not given and bounds node widths', () => {
    expect(layoutLineage(nodes.slice(0, 1), edges).edges).toEqual([]);
    expect(nodeWidth('x')).toBe(120);
    expect(nodeWidth('x'.repeat(500))).toBe(320);
  });
});
