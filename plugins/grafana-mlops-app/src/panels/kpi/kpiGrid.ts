import { DataFrame } from '@grafana/data';
import type { KpiValue, SloStatus } from '@modelrails/plugin-mlops-common';
import { customOf, fieldByName, framesOfKind, numberOrNull, valuesOf } from '../../shared/frames';
import { KpiCard, KpiPanelOptions, KpiTile } from './types';

const SLO_RANK: Record<SloStatus, number> = { 'no-data': 0, ok: 1, breach: 2 };

/**
 * A card per model from the data source's all-traffic `kpi` frames: the metrics chosen in the
 * options (`kpis` = each policy KPI, in the policy's order, then the operational metrics in the
 * options' order), the backend's SLO verdicts, and the model's `version-changes` frame if given.
 */
export function kpiGrid(frames: DataFrame[], options: Pick<KpiPanelOptions, 'metrics' | 'sort'>): KpiCard[] {
  const cards = new Map<string, KpiCard>();
  const order = (tile: KpiTile, kind: unknown) => (kind === 'kpi' ? options.metrics.indexOf('kpis') : options.metrics.indexOf(tile.metric as never));
  const ranks = new Map<KpiTile, number>();
  const add = (c: Record<string, unknown>, tile: KpiTile, rank: number) => {
    if (rank < 0) {
      return;
    }
    ranks.set(tile, rank);
    const model = String(c.model);
    const card = cards.get(model) ?? { model, title: String(c.modelTitle ?? model), sloStatus: 'no-data', tiles: [], versionChanges: [] };
    card.tiles.push(tile);
    card.sloStatus = SLO_RANK[tile.sloStatus] > SLO_RANK[card.sloStatus] ? tile.sloStatus : card.sloStatus;
    cards.set(model, card);
  };
  for (const frame of framesOfKind(frames, 'kpi')) {
    const c = customOf(frame);
    if (c.segment !== '*') {
      continue;
    }
    const valueField = fieldByName(frame, 'value');
    const current = (c.current ?? {}) as Partial<KpiValue>;
    const tile: KpiTile = {
      metric: String(c.metric),
      title: String(c.title ?? c.metric),
      unit: valueField?.config.unit ?? 'none',
      value: numberOrNull(current.value),
      lower: numberOrNull(current.lower),
      upper: numberOrNull(current.upper),
      slo: (c.slo as KpiTile['slo']) ?? null,
      sloStatus: (c.sloStatus as SloStatus) ?? 'no-data',
      definition: (c.definition as string | null) ?? null,
      points: valuesOf<number>(frame, 'time').map((time, i) => ({ time, value: numberOrNull(valueField?.values[i]) })),
    };
    add(c, tile, order(tile, c.metricKind));
  }
  // Performance before labels: a tile per metric, the realised value said under the estimate.
  for (const frame of framesOfKind(frames, 'performance')) {
    const c = customOf(frame);
    const current = (c.current ?? {}) as Partial<KpiValue>;
    const realised = c.realised as { value: number | null; start: string; n: number } | null;
    const tile: KpiTile = {
      metric: String(c.metric),
      title: String(c.title ?? c.metric),
      unit: 'none',
      value: numberOrNull(current.value),
      lower: numberOrNull(current.lower),
      upper: numberOrNull(current.upper),
      slo: null,
      sloStatus: 'no-data',
      definition: (c.definition as string | null) ?? null,
      points: valuesOf<number>(frame, 'time').map((time, i) => ({ time, value: numberOrNull(fieldByName(frame, 'value')?.values[i]) })),
      note: realised?.value !== null && realised?.value !== undefined ? `realised ${realised.value.toFixed(3)} on ${realised.n.toLocaleString('en-US')} labelled` : `labels not matured (count once ${String(c.maturity)} old)`,
    };
    add(c, tile, options.metrics.indexOf('performance'));
  }
  for (const frame of framesOfKind(frames, 'version-changes')) {
    const card = cards.get(String(customOf(frame).model));
    if (card) {
      const from = valuesOf<string | null>(frame, 'from');
      const to = valuesOf<string>(frame, 'to');
      card.versionChanges = valuesOf<number>(frame, 'time').map((time, i) => ({ time, from: from[i] ?? null, to: to[i] }));
    }
  }
  const list = [...cards.values()];
  // Stable: tiles of one rank keep the backend's (policy) order.
  list.forEach(card => card.tiles.sort((a, b) => ranks.get(a)! - ranks.get(b)!));
  const byTitle = (a: KpiCard, b: KpiCard) => a.title.localeCompare(b.title);
  return list.sort(options.sort === 'title' ? byTitle : (a, b) => SLO_RANK[b.sloStatus] - SLO_RANK[a.sloStatus] || byTitle(a, b));
}
