import { KpiMetric, KpiPoint, KpiValue, SloStatus } from '@modelrails/plugin-mlops-common';

/** A metric's value as people read it: shares in %, latency in ms, cost in the report's currency. */
export function formatMetric(unit: KpiMetric['unit'], value: number | null, currency: string): string {
  if (value === null) return '—';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(value < 0.01 ? 3 : 2)} %`;
    case 'ms':
      return `${value.toFixed(1)} ms`;
    case 'per-second':
      return `${value.toFixed(2)}/s`;
    default:
      return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 3 : 2 }).format(value);
  }
}

export function formatInterval(unit: KpiMetric['unit'], v: KpiValue, currency: string) {
  return v.lower === null || v.upper === null ? '' : `${formatMetric(unit, v.lower, currency)} – ${formatMetric(unit, v.upper, currency)}`;
}

export function formatSlo(unit: KpiMetric['unit'], slo: KpiMetric['slo'], currency: string) {
  if (!slo || (slo.min === null && slo.max === null)) return 'no SLO';
  if (slo.min !== null && slo.max !== null) return `${formatMetric(unit, slo.min, currency)} … ${formatMetric(unit, slo.max, currency)}`;
  return slo.min !== null ? `≥ ${formatMetric(unit, slo.min, currency)}` : `≤ ${formatMetric(unit, slo.max, currency)}`;
}

export const SLO_LABEL: Record<SloStatus, string> = { ok: 'within SLO', breach: 'out of SLO', 'no-data': 'no data' };
/** Worst first: what an on-call engineer sorts by. */
export const SLO_RANK: Record<SloStatus, number> = { breach: 0, ok: 1, 'no-data': 2 };

export type { KpiPoint };
