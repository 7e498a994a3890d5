import { formatMetricValue, KpiMetric, KpiPoint, KpiValue, SloStatus } from '@modelrails/plugin-mlops-common';

/** A metric's value as people read it: shares in %, latency in ms, tokens, cost in the report's currency. */
export function formatMetric(unit: KpiMetric['unit'], value: number | null, currency: string): string {
  return formatMetricValue(unit, value, currency);
}

export function formatInterval(unit: KpiMetric['unit'], v: KpiValue, currency: string) {
  return v.lower === null || v.upper === null ? '' : `${formatMetric(unit, v.lower, currency)} – ${formatMetric(unit, v.upper, currency)}`;
}

export const SLO_LABEL: Record<SloStatus, string> = { ok: 'within SLO', breach: 'out of SLO', 'no-data': 'no data' };

export const hasSlo = (slo: KpiMetric['slo']) => !!slo && (slo.min !== null || slo.max !== null);

/** The SLO status and its band in one label; a metric without an SLO says only that. */
export function sloChipLabel(status: SloStatus, unit: KpiMetric['unit'], slo: KpiMetric['slo'], currency: string) {
  if (!hasSlo(slo)) return status === 'no-data' ? 'no data · no SLO' : 'no SLO';
  return `${SLO_LABEL[status]} · ${formatSlo(unit, slo, currency)}`;
}

export function formatSlo(unit: KpiMetric['unit'], slo: KpiMetric['slo'], currency: string) {
  if (!slo || (slo.min === null && slo.max === null)) return 'no SLO';
  if (slo.min !== null && slo.max !== null) return `${formatMetric(unit, slo.min, currency)} … ${formatMetric(unit, slo.max, currency)}`;
  return slo.min !== null ? `≥ ${formatMetric(unit, slo.min, currency)}` : `≤ ${formatMetric(unit, slo.max, currency)}`;
}

/** Worst first: what an on-call engineer sorts by. */
export const SLO_RANK: Record<SloStatus, number> = { breach: 0, ok: 1, 'no-data': 2 };

export type { KpiPoint };
