import { parseEntityRef } from '@backstage/catalog-model';
import {
  formatNumber,
  formatPercent,
  LineageGraph,
  LineageNode,
  LineageNodeKind,
} from '@modelrails/plugin-mlops-common';

/** A lineage root the portal can open: a model version or a dataset version. */
export type LineageRoot =
  | { kind: 'model'; ref: { kind: string; namespace: string; name: string }; version: string }
  | { kind: 'dataset'; ref: { kind: string; namespace: string; name: string }; version: string };

/**
 * Reads a lineage node id (`model:<ref>@<version>` or `dataset:<ref>@<version>`) back into what it
 * names; undefined for ids the page cannot root a graph at.
 */
export function parseLineageRoot(id: string): LineageRoot | undefined {
  const match = /^(model|dataset):([^@]+)@(.+)$/.exec(id);
  if (!match) return undefined;
  try {
    const ref = parseEntityRef(match[2]);
    const expected = match[1] === 'model' ? 'model' : 'resource';
    if (ref.kind.toLocaleLowerCase('en-US') !== expected) return undefined;
    return { kind: match[1] as 'model' | 'dataset', ref, version: match[3] };
  } catch {
    return undefined;
  }
}

/** Order of the columns in the drawing: where data flows from, to where it serves. */
export const KIND_ORDER: LineageNodeKind[] = ['dataset-version', 'training-run', 'model-version', 'deployment'];

export type GraphNode = LineageNode & { isRoot: boolean; notReproducible: boolean };

/** Nodes for the graph, with the flags the drawing needs; edges as they are. */
export function toGraphNodes(graph: LineageGraph): GraphNode[] {
  return [...graph.nodes]
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.label.localeCompare(b.label))
    .map(node => ({
      ...node,
      isRoot: node.id === graph.root,
      notReproducible: node.kind === 'model-version' && node.attributes.reproducible === false,
    }));
}

/** "3 days ago", "2 hours ago": age of a timestamp relative to now. */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: Array<[number, string]> = [
    [86_400 * 365, 'year'],
    [86_400 * 30, 'month'],
    [86_400 * 7, 'week'],
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

/** A metric beside the champion's, e.g. "0.183 (−1.60 %)". */
export function formatComparison(value: number, relative?: number): string {
  const base = formatNumber(value);
  if (relative === undefined || relative === 0) return base;
  return `${base} (${formatPercent(relative, { signed: true })})`;
}

/** Short name of an entity ref: `resource:default/orders` → `orders`. */
export function shortName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}
