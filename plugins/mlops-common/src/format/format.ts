/*
 * How ModelRails shows numbers, times and names to people: one module for the portal's tables and
 * cards and the Grafana panels, so a PSI, a share or a date reads the same everywhere.
 *
 * Every number and its unit are joined by a no-break space (U+00A0), so "14.80 %" never wraps
 * between the two; no output uses exponent notation.
 */

const NBSP = '\u00a0';
const MINUS = '\u2212';

function numberFormat(options: Intl.NumberFormatOptions) {
  return new Intl.NumberFormat('en-US', options);
}

const countFormat = numberFormat({ maximumFractionDigits: 0 });

/** A number with at most `digits` significant digits (all of its integer part when larger): 0.16899999 → "0.169". */
function significant(value: number, digits = 3): string {
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return numberFormat({ maximumFractionDigits: 1 }).format(value);
  return numberFormat({ maximumSignificantDigits: digits }).format(value);
}

/**
 * A plain value of no fixed unit (a model metric such as AUC or NDCG, a gate threshold): up to four
 * significant digits, enough to tell 0.9134 from 0.9141, thousands separated.
 *
 * @public
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  return significant(value, 4).replace('-', MINUS);
}

/**
 * A count of things: "11,209".
 *
 * @public
 */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return countFormat.format(value).replace('-', MINUS);
}

/**
 * A share as a percentage, with the precision its size needs: 0.148 → "14.8 %", 0.0338983 → "3.39 %",
 * 0.00012 → "0.012 %"; below 0.001 % it says so instead of printing zeros.
 *
 * @public
 */
export function formatPercent(share: number | null | undefined, options: { signed?: boolean } = {}): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const percent = share * 100;
  const abs = Math.abs(percent);
  let sign = '';
  if (percent < 0) sign = MINUS;
  else if (options.signed && percent > 0) sign = '+';
  let body: string;
  if (abs === 0) body = '0';
  else if (abs < 0.001) return `${options.signed ? sign : ''}<${NBSP}0.001${NBSP}%`;
  else if (abs >= 100) body = countFormat.format(abs);
  else if (abs >= 10) body = abs.toFixed(1);
  else if (abs >= 1) body = abs.toFixed(2);
  else body = String(Number(abs.toPrecision(2)));
  return `${sign}${body}${NBSP}%`;
}

/**
 * A divergence or distance statistic (PSI, Jensen–Shannon, KS D, normalised Wasserstein): always
 * three decimals, so values compare by eye down a column; "< 0.001" for what rounds to zero.
 *
 * @public
 */
export function formatStatistic(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value > 0 && value < 0.0005) return `<${NBSP}0.001`;
  const text = numberFormat({ minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(value);
  return text.replace('-', MINUS);
}

/**
 * A p-value: three decimals, and "< 0.001" rather than "0.000" (a p-value is never zero).
 *
 * @public
 */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 0.001) return `<${NBSP}0.001`;
  return p.toFixed(3);
}

/**
 * Money, in the report's currency: "$2.36"; under a cent keeps three decimals ("$0.004").
 *
 * @public
 */
export function formatCurrency(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const small = value !== 0 && Math.abs(value) < 0.01;
  return numberFormat({ style: 'currency', currency, minimumFractionDigits: small ? 3 : 2, maximumFractionDigits: small ? 3 : 2 })
    .format(value)
    .replace('-', MINUS);
}

/**
 * A latency in milliseconds: "12.3 ms", "250 ms", "1.25 s".
 *
 * @public
 */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) >= 1000) return `${significant(ms / 1000)}${NBSP}s`;
  if (Math.abs(ms) >= 100) return `${Math.round(ms)}${NBSP}ms`;
  return `${ms.toFixed(1)}${NBSP}ms`;
}

/**
 * Events per second: "3.12/s", "1,250/s".
 *
 * @public
 */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  if (perSecond === 0) return '0/s';
  return `${perSecond >= 100 ? countFormat.format(perSecond) : significant(perSecond)}/s`;
}

/**
 * Tokens of an LLM request (a mean per request): "412 tokens", "1,204 tokens", "3.5 tokens".
 *
 * @public
 */
export function formatTokens(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !Number.isFinite(tokens)) return '—';
  return `${Math.abs(tokens) >= 100 ? countFormat.format(tokens) : significant(tokens)}${NBSP}tokens`;
}

/**
 * An LLM's decode rate: "48.2 tokens/s", "1,250 tokens/s".
 *
 * @public
 */
export function formatTokenRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  if (perSecond === 0) return `0${NBSP}tokens/s`;
  return `${perSecond >= 100 ? countFormat.format(perSecond) : significant(perSecond)}${NBSP}tokens/s`;
}

/**
 * A duration in milliseconds, in the two largest units that matter: "850 ms", "12 s", "4 min 5 s", "2 h 10 min", "3 d 4 h".
 *
 * @public
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}${NBSP}ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  // The largest unit present and the one below it ("2 h 10 min"; "2 h" when the minutes are 0).
  let rest = Math.round(ms / 1000) * 1000;
  const largest = units.findIndex(([, size]) => rest >= size);
  const parts: string[] = [];
  for (const [unit, size] of units.slice(largest, largest + 2)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${NBSP}${unit}`);
  }
  return parts.join(NBSP);
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const secondsFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

function asDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * The one date-time format, with its time zone: "3 Dec 2026, 04:12 UTC".
 *
 * @public
 */
export function formatDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const date = asDate(value);
  if (Number.isNaN(date.getTime())) return '—';
  return dateTimeFormat.format(date).replace(/ /g, NBSP).replace(`,${NBSP}`, `, `);
}

/**
 * A time of day for axes and short windows: "04:12", or "04:12:30" with seconds (spans of minutes).
 *
 * @public
 */
export function formatTime(value: string | number | Date, options: { seconds?: boolean } = {}): string {
  return (options.seconds ? secondsFormat : timeFormat).format(asDate(value));
}

/**
 * A day: "3 Dec 2026".
 *
 * @public
 */
export function formatDate(value: string | number | Date): string {
  return dateFormat.format(asDate(value)).replace(/ /g, NBSP);
}

/** Names ModelRails uses inside its telemetry, in words. */
const INTERNAL_NAMES: Record<string, string> = {
  __score: 'prediction score',
  __target: 'label',
};

/**
 * A feature's name as people read it: the model's own names unchanged, ModelRails' internal ones in words.
 *
 * @public
 */
export function featureLabel(name: string): string {
  return INTERNAL_NAMES[name] ?? name;
}

/**
 * Who decided something, when it was not a person: `plugin:mlops:rollout-engine` → "rollout engine".
 *
 * @public
 */
export function actorLabel(ref: string): string | undefined {
  const plugin = /^plugin:([^:]+)(?::(.+))?$/.exec(ref);
  if (plugin) return (plugin[2] ?? plugin[1]).replace(/[-_]/g, ' ');
  return undefined;
}

/**
 * Who did something, in a sentence: a ModelRails service in words, a person or group by the short
 * form of their reference, as Backstage shows it (`user:default/frank` → "frank",
 * `group:finance/pricing` → "finance/pricing").
 *
 * @public
 */
export function actorText(ref: string): string {
  const service = actorLabel(ref);
  if (service) return service;
  const match = /^(?:[^:]+:)?(?:([^/]+)\/)?(.+)$/.exec(ref);
  if (!match) return ref;
  const [, namespace, name] = match;
  return namespace && namespace !== 'default' ? `${namespace}/${name}` : name;
}

/**
 * A KPI report metric's value as people read it, by its unit: shares in %, latency in ms or s,
 * rates, tokens, cost in the report's currency.
 *
 * @public
 */
export function formatMetricValue(
  unit: 'ratio' | 'per-second' | 'ms' | 'currency' | 'tokens' | 'tokens-per-second',
  value: number | null | undefined,
  currency: string,
): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'ms':
      return formatLatency(value);
    case 'per-second':
      return formatRate(value);
    case 'tokens':
      return formatTokens(value);
    case 'tokens-per-second':
      return formatTokenRate(value);
    default:
      return formatCurrency(value, currency);
  }
}
