/** One downstream-pointing edge of the lineage graph, between two node keys. */
export type LineageEdge = { from: string; to: string };

/** What a walk found: every node reached, the edges between them, and whether the depth cut anything off. */
export type LineageWalk = { nodes: string[]; edges: LineageEdge[]; truncated: boolean };

/**
 * Breadth-first walk of the lineage graph around `root`, both directions, at most `depth` edges
 * away. `neighbours` answers every edge touching a set of nodes (one query per level, not per
 * node). After the last level it looks once more, only to tell whether anything was left out.
 */
export async function walkLineage(
  root: string,
  depth: number,
  neighbours: (nodes: string[]) => Promise<LineageEdge[]>,
): Promise<LineageWalk> {
  const visited = new Set<string>([root]);
  const edges = new Map<string, LineageEdge>();
  let frontier = [root];
  let truncated = false;
  for (let level = 0; level <= depth && frontier.length; level++) {
    const found = await neighbours(frontier);
    const next: string[] = [];
    for (const edge of found) {
      const fresh = [edge.from, edge.to].filter(n => !visited.has(n));
      if (level === depth) {
        if (fresh.length) truncated = true;
        continue;
      }
      edges.set(`${edge.from}>${edge.to}`, edge);
      for (const n of fresh) {
        visited.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return { nodes: [...visited], edges: [...edges.values()], truncated };
}
