import { LineageEdge, walkLineage } from './walk';

/** A graph held in memory: the walk sees it only through `neighbours`, as it sees the database. */
function graph(edges: Array<[string, string]>) {
  const all: LineageEdge[] = edges.map(([from, to]) => ({ from, to }));
  const asked: string[][] = [];
  return {
    asked,
    neighbours: async (nodes: string[]) => {
      asked.push([...nodes].sort());
      return all.filter(e => nodes.includes(e.from) || nodes.includes(e.to));
    },
  };
}

//  d1 ─┐          ┌─ dep1
//      ├─ run ─ m1 ┤
//  d2 ─┘          └─ dep2        m1 ─ ... and a second run r2 reading d2 → m2
const edges: Array<[string, string]> = [
  ['d1', 'run'],
  ['d2', 'run'],
  ['run', 'm1'],
  ['m1', 'dep1'],
  ['m1', 'dep2'],
  ['d2', 'r2'],
  ['r2', 'm2'],
];

describe('walkLineage', () => {
  it('reaches every node within the depth, both directions, and says nothing was cut', async () => {
    const g = graph(edges);
    const walk = await walkLineage('m1', 10, g.neighbours);
    expect(walk.nodes.sort()).toEqual(['d1', 'd2', 'dep1', 'dep2', 'm1', 'm2', 'r2', 'run']);
    expect(walk.edges).toHaveLength(edges.length);
    expect(walk.truncated).toBe(false);
  });

  it('stops at the depth and says what it cut off', async () => {
    const g = graph(edges);
    const walk = await walkLineage('m1', 1, g.neighbours);
    expect(walk.nodes.sort()).toEqual(['dep1', 'dep2', 'm1', 'run']);
    expect(walk.edges.map(e => `${e.from}>${e.to}`).sort()).toEqual(['m1>dep1', 'm1>dep2', 'run>m1']);
    // d1 and d2 lie two edges away.
    expect(walk.truncated).toBe(true);
  });

  it('is not cut off when the depth reaches exactly the last node', async () => {
    const walk = await walkLineage('d1', 2, graph([['d1', 'run'], ['run', 'm1']]).neighbours);
    expect(walk.nodes.sort()).toEqual(['d1', 'm1', 'run']);
    expect(walk.truncated).toBe(false);
  });

  it('asks once per level, for the new nodes only', async () => {
    const g = graph(edges);
    await walkLineage('d1', 3, g.neighbours);
    expect(g.asked).toEqual([['d1'], ['run'], ['d2', 'm1'], ['dep1', 'dep2', 'r2']]);
  });

  it('depth 0 is the root alone, cut off when it has neighbours', async () => {
    expect(await walkLineage('m1', 0, graph(edges).neighbours)).toEqual({ nodes: ['m1'], edges: [], truncated: true });
    expect(await walkLineage('x', 0, graph(edges).neighbours)).toEqual({ nodes: ['x'], edges: [], truncated: false });
  });
});
