/** The alerts ModelRails raises; each links to the runbook that handles it. @public */
export const ALERT_KINDS = ['contract-violation', 'data-drift', 'latency-regression', 'error-rate', 'canary-rollback', 'feature-store-outage'] as const;

/** @public */
export type AlertKind = (typeof ALERT_KINDS)[number];
