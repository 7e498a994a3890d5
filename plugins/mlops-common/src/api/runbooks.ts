/*
 * Runbooks and the live context shown beside them (GET /models/{namespace}/{name}/runbooks…).
 */

import { ALERT_KINDS, AlertKind } from '../model/alertKinds';

export { ALERT_KINDS };
export type { AlertKind };

/** `page` wakes someone up; `warning` waits for working hours. @public */
export type AlertSeverity = 'page' | 'warning';

/** A runbook as listed for a model: the model's own (from its entity) or a built-in one. @public */
export type RunbookSummary = {
  /** Stable within the model: a built-in's alert kind, or `model:<path>` for the model's own. */
  id: string;
  title: string;
  source: 'model' | 'builtin';
  /** The alerts that link here. */
  alerts: AlertKind[];
  /** Where the Markdown was read from (the model's own runbooks). */
  location?: string;
};

/** @public */
export type Runbook = RunbookSummary & { markdown: string };

/** @public */
export type RunbookList = {
  modelRef: string;
  items: RunbookSummary[];
  /** The runbook each alert links to: the model's own when it names the alert, else the built-in. */
  byAlert: Record<AlertKind, string>;
};

/** An alert open on a model now. @public */
export type OpenAlert = {
  kind: AlertKind;
  severity: AlertSeverity;
  /** One line, e.g. "user_country: type change (100 % of values) since 10:35". */
  summary: string;
  feature?: string;
  segment?: string;
  since: string;
  runbookId: string;
};

/** A rollout action the live context offers, and whether the caller may take it. @public */
export type RunbookAction = {
  action: 'rollback' | 'pause';
  rolloutId: string;
  /** What the action does, e.g. "Roll back to v12 (the warm standby)". */
  label: string;
  allowed: boolean;
  /** Why the caller may not, e.g. "Not allowed: mlops.rollout.rollback on model:default/x". */
  refusal?: string;
  permission: string;
};

/** Everything an on-call engineer needs beside a runbook, read when the page asks. @public */
export type LiveContext = {
  modelRef: string;
  at: string;
  alerts: OpenAlert[];
  rollout: {
    id: string;
    version: string;
    champion: string | null;
    status: string;
    stage: string;
    weight: number;
    headline: string | null;
    lastDecision: { at: string; action: string; actor: string; reason: string } | null;
  } | null;
  topDrifting: Array<{ feature: string; segment: string; test: string; psi: number | null; pValue: number | null; severity: string }>;
  lastDeploy: {
    version: string;
    since: string;
    setBy: string | null;
    approvedBy: string | null;
    override: boolean;
  } | null;
  actions: RunbookAction[];
};
