/*
 * The window and step a query asks the backend for. Free of Grafana imports, so the benchmark
 * (bench/grafanaDrift.ts) asks exactly what the data source asks.
 */
import { SERIES_STEPS } from '@modelrails/plugin-mlops-common';

const MINUTE = 60_000;
/** Windows are aligned to the telemetry's 5-minute buckets, so viewers of one dashboard ask the same query. */
const ALIGN_MS = 5 * MINUTE;

/** The smallest step of at least `intervalMs` that gives at most `maxSteps` over the window. */
export function stepFor(windowMs: number, intervalMs: number, maxSteps: number): string {
  const fit = SERIES_STEPS.find(({ ms }) => ms >= intervalMs && windowMs / ms <= maxSteps);
  return (fit ?? SERIES_STEPS[SERIES_STEPS.length - 1]).name;
}

/** Grafana's time range as the backend's window, aligned outwards to whole 5-minute buckets. */
export function alignedWindow(from: number, to: number) {
  const start = Math.floor(from / ALIGN_MS) * ALIGN_MS;
  const end = Math.ceil(to / ALIGN_MS) * ALIGN_MS;
  return { from: new Date(start).toISOString(), to: new Date(Math.max(end, start + ALIGN_MS)).toISOString(), ms: Math.max(end - start, ALIGN_MS) };
}
