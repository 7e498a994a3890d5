/*
 * Steps of the backend's time series (KPIs, drift): the query names the OpenAPI spec's KpiStep
 * lists, and how many points an answer may hold. Free of imports, so the Grafana app bundles it
 * alone.
 */

const MINUTE = 60_000;

/** Each step a whole number of a stored resolution (5 minutes, hour, day). @public */
export const SERIES_STEPS: ReadonlyArray<{ ms: number; name: string }> = [
  { ms: 5 * MINUTE, name: '5m' },
  { ms: 15 * MINUTE, name: '15m' },
  { ms: 30 * MINUTE, name: '30m' },
  { ms: 60 * MINUTE, name: '1h' },
  { ms: 180 * MINUTE, name: '3h' },
  { ms: 360 * MINUTE, name: '6h' },
  { ms: 720 * MINUTE, name: '12h' },
  { ms: 1440 * MINUTE, name: '1d' },
  { ms: 10080 * MINUTE, name: '7d' },
];

/** The most steps a KPI report and a drift series may hold. @public */
export const MAX_SERIES_POINTS = { kpi: 2000, drift: 500 } as const;
