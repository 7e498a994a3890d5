import { parseEntityRef } from '@backstage/catalog-model';
import { AlertKind, ModelPolicy } from '@modelrails/plugin-mlops-common';
import { stringify } from 'yaml';
import { runbookPagePath } from '../runbooks/runbookLinks';

/** A Model as its alert rules need it: the policy's thresholds and the runbook each alert opens. */
export type AlertRuleModel = { entityRef: string; title: string; policy: ModelPolicy; runbookIds: Record<AlertKind, string> };

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };

/** Serving latency over the model's budget: its p99 latency gate, else its rollout analysis limit. */
export function latencyBudgetMs(policy: ModelPolicy): number {
  const gate = policy.gates.find(g => g.kind === 'latency-budget' && g.percentile === 'p99');
  return gate && gate.kind === 'latency-budget' ? gate.maxMs : policy.rollout.analysis.maxP99LatencyMs;
}

/** The portal page of a model's runbook; alerts carry it as `runbook_url`. */
export function runbookPageUrl(portalBaseUrl: string, entityRef: string, runbookId: string): string {
  return `${portalBaseUrl.replace(/\/$/, '')}${runbookPagePath(entityRef, { runbook: runbookId })}`;
}

const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * One Prometheus rule group per Model, over the metrics of `/api/mlops/metrics`: a contract
 * violation pages, drift warns, a rolled-back canary pages, latency over budget pages.
 */
export function alertRuleGroup(model: AlertRuleModel, portalBaseUrl: string) {
  const { namespace, name } = parseEntityRef(model.entityRef);
  const selector = `model=${quoted(model.entityRef)}`;
  const common = (kind: AlertKind, severity: 'page' | 'warning') => ({
    labels: { severity, model: model.entityRef, alert_kind: kind },
    runbook_url: runbookPageUrl(portalBaseUrl, model.entityRef, model.runbookIds[kind]),
  });
  const rule = (alert: string, kind: AlertKind, severity: 'page' | 'warning', expr: string, forDuration: string, summary: string, description: string): Rule => {
    const { labels, runbook_url } = common(kind, severity);
    return { alert, expr, for: forDuration, labels, annotations: { summary, description, runbook_url } };
  };
  const budget = latencyBudgetMs(model.policy);
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
        '15m',
        `${model.title}: {{ $labels.feature }} drifts ({{ $labels.severity }}, segment {{ $labels.segment }})`,
        `PSI above ${model.policy.drift.psi.warning} on large samples, or a KS / chi-square test at α = ${model.policy.drift.ksAlpha} on small ones, for 15 minutes.`,
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
      rule(
        'ModelLatencyOverBudget',
        'latency-regression',
        'page',
        `max by (model) (mlops_latency_p99_ms{${selector}}) > ${budget}`,
        '5m',
        `${model.title}: p99 latency {{ $value | printf "%.0f" }} ms is over its ${budget} ms budget`,
        'Serving p99 latency over the last 15 minutes, from the prediction events.',
      ),
    ],
  };
}

/** A rule file for Prometheus' `rule_files` (or a PrometheusRule's spec). */
export function alertRuleFile(models: AlertRuleModel[], portalBaseUrl: string): string {
  return stringify({ groups: models.map(m => alertRuleGroup(m, portalBaseUrl)) }, { lineWidth: 0 });
}
