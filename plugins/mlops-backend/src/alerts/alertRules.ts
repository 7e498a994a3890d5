import { parseEntityRef } from '@backstage/catalog-model';
import { AlertKind, ModelPolicy } from '@modelrails/plugin-mlops-common';
import { stringify } from 'yaml';
import { budgetBucketLabel, latencyBudgetMs } from '../metrics/predictionLatency';
import { runbookPagePath } from '../runbooks/runbookLinks';

export { latencyBudgetMs };

/** A Model as its alert rules need it: the policy's thresholds and the runbook each alert opens. */
export type AlertRuleModel = { entityRef: string; title: string; policy: ModelPolicy; runbookIds: Record<AlertKind, string> };

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };

/** The portal page of a model's runbook; alerts carry it as `runbook_url`. */
export function runbookPageUrl(portalBaseUrl: string, entityRef: string, runbookId: string): string {
  return `${portalBaseUrl.replace(/\/$/, '')}${runbookPagePath(entityRef, { runbook: runbookId })}`;
}

const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** How the rules may be tuned (configuration `mlops.alerts`). */
export type AlertRuleOptions = {
  /** How long a drift finding must hold before it warns (a Prometheus duration; 15m by default). */
  dataDriftFor?: string;
};

/**
 * Multi-window burn rates (Google's SRE workbook): page when the error budget burns 14.4 times too
 * fast over the last hour and 5 minutes (2 % of a 30-day budget in an hour) or 6 times over 6 hours
 * and 30 minutes; warn at 3 times over a day and 2 hours, or once over 3 days and 6 hours. The short
 * window makes the alert stop soon after the burn does.
 */
export const BURN_RATE_WINDOWS = {
  page: [
    { factor: 14.4, long: '1h', short: '5m' },
    { factor: 6, long: '6h', short: '30m' },
  ],
  warning: [
    { factor: 3, long: '1d', short: '2h' },
    { factor: 1, long: '3d', short: '6h' },
  ],
} as const;

/**
 * One Prometheus rule group per Model, over the metrics of `/api/mlops/metrics`: a contract
 * violation pages, drift warns, a rolled-back canary pages, p99 latency over budget pages, and the
 * latency and error-rate SLOs page or warn by how fast they burn their error budget.
 */
export function alertRuleGroup(model: AlertRuleModel, portalBaseUrl: string, options: AlertRuleOptions = {}) {
  const { namespace, name } = parseEntityRef(model.entityRef);
  const selector = `model=${quoted(model.entityRef)}`;
  const rule = (alert: string, kind: AlertKind, severity: 'page' | 'warning', expr: string, forDuration: string, summary: string, description: string): Rule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, model: model.entityRef, alert_kind: kind },
    annotations: { summary, description, runbook_url: runbookPageUrl(portalBaseUrl, model.entityRef, model.runbookIds[kind]) },
  });
  const budget = latencyBudgetMs(model.policy);
  const le = budgetBucketLabel(budget);
  const maxErrorRate = model.policy.rollout.analysis.maxErrorRate;
  // Rates summed over versions and replicas (each replica counts what it ingested).
  const rate = (metric: string, window: string, extra = '') => `sum by (model) (rate(${metric}{${selector}${extra}}[${window}]))`;
  // The share of predictions slower than the budget's bucket, and the share that failed.
  const slowShare = (w: string) =>
    `(${rate('mlops_prediction_latency_seconds_count', w)} - ${rate('mlops_prediction_latency_seconds_bucket', w, `,le=${quoted(le)}`)}) / ${rate('mlops_prediction_latency_seconds_count', w)}`;
  const errorShare = (w: string) => `${rate('mlops_prediction_errors_total', w)} / ${rate('mlops_predictions_total', w)}`;
  const burn = (share: (w: string) => string, budgetShare: number, severity: 'page' | 'warning') =>
    BURN_RATE_WINDOWS[severity].map(({ factor, long, short }) => `(${share(long)} > ${factor * budgetShare} and ${share(short)} > ${factor * budgetShare})`).join(' or ');
  const burnRules = (alert: string, kind: AlertKind, share: (w: string) => string, budgetShare: number, slo: string) =>
    (['page', 'warning'] as const).map(severity =>
      rule(
        severity === 'page' ? `${alert}BudgetBurn` : `${alert}BudgetBurnSlow`,
        kind,
        severity,
        burn(share, budgetShare, severity),
        severity === 'page' ? '2m' : '15m',
        `${model.title}: the ${slo} SLO burns its error budget ${severity === 'page' ? 'fast' : 'steadily'}`,
        `${slo} objective: ${severity === 'page' ? 'at least 6 times the sustainable rate over the last hours' : 'at least the sustainable rate over the last days'} (multi-window burn rate; windows ${BURN_RATE_WINDOWS[severity]
          .map(w => `${w.long}/${w.short}`)
          .join(', ')}).`,
      ),
    );
  return {
    name: `modelrails-${namespace}-${name}`,
    rules: [
      // The backend already asks for 5 offending values in a 5-minute bucket: page at once.
      rule(
        'ModelContractViolation',
        'contract-violation',
        'page',
        `max by (model, feature, segment, check) (mlops_contract_violations{${selector}}) > 0`,
        '0s',
        `${model.title}: {{ $labels.feature }} fails its contract ({{ $labels.check }}, segment {{ $labels.segment }})`,
        'A feature the model reads changed shape upstream; predictions use broken inputs.',
      ),
      rule(
        'ModelDataDrift',
        'data-drift',
        'warning',
        `max by (model, feature, segment, severity) (mlops_drift_flagged{${selector}}) > 0`,
        options.dataDriftFor ?? '15m',
        `${model.title}: {{ $labels.feature }} drifts ({{ $labels.severity }}, segment {{ $labels.segment }})`,
        `PSI above ${model.policy.drift.psi.warning} on large samples, or a KS / chi-square test at α = ${model.policy.drift.ksAlpha} on small ones, for ${options.dataDriftFor ?? '15m'}.`,
      ),
      rule(
        'ModelCanaryRolledBack',
        'canary-rollback',
        'page',
        `max by (model, version) (mlops_rollout_rolled_back{${selector}}) > 0`,
        '0s',
        `${model.title}: v{{ $labels.version }} was rolled back`,
        'The rollout engine (or a person) returned all traffic to the champion within the last 24 hours.',
      ),
      // Over the budget's own bucket exactly when more than 1 % of the window's predictions are.
      rule(
        'ModelLatencyOverBudget',
        'latency-regression',
        'page',
        `histogram_quantile(0.99, sum by (model, le) (rate(mlops_prediction_latency_seconds_bucket{${selector}}[15m]))) > ${le}`,
        '5m',
        `${model.title}: p99 latency is over its ${budget} ms budget`,
        'Serving p99 latency over the last 15 minutes, from the committed predictions of every replica.',
      ),
      ...burnRules('ModelLatencySLO', 'latency-regression', slowShare, 0.01, `latency (99 % of predictions within ${budget} ms)`),
      ...burnRules('ModelErrorSLO', 'error-rate', errorShare, maxErrorRate, `error-rate (at most ${maxErrorRate * 100} % failed predictions)`),
    ],
  };
}

/** A rule file for Prometheus' `rule_files` (or a PrometheusRule's spec). */
export function alertRuleFile(models: AlertRuleModel[], portalBaseUrl: string, options: AlertRuleOptions = {}): string {
  return stringify({ groups: models.map(m => alertRuleGroup(m, portalBaseUrl, options)) }, { lineWidth: 0 });
}
