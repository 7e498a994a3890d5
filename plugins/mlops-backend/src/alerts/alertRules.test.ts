import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { parseModelEntity } from '@modelrails/plugin-mlops-common';
import { runbookIndex } from '../runbooks/RunbookService';
import { budgetBucketLabel } from '../metrics/predictionLatency';
import { alertRuleFile, AlertRuleModel, latencyBudgetMs, runbookPageUrl } from './alertRules';

const PORTAL = 'http://portal.example:3000/';
const PROMTOOL = '/usr/bin/promtool';

/** The demo catalog's Models, with the runbook ids the runbook service would give them. */
function demoModels(): AlertRuleModel[] {
  const file = path.resolve(__dirname, '../../../../catalog/models.yaml');
  return parseAllDocuments(readFileSync(file, 'utf8')).map(doc => {
    const parsed = parseModelEntity(doc.toJS());
    if (!parsed.success) throw new Error('demo model invalid');
    const { metadata, spec } = parsed.entity;
    const { byAlert: runbookIds } = runbookIndex(spec.runbooks);
    return { entityRef: `model:default/${metadata.name}`, title: metadata.title ?? metadata.name, policy: spec.policy, runbookIds };
  });
}

function promtool(args: string[], cwd: string) {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${PROMTOOL} did not run (npm test installs Debian's prometheus): ${result.error.message}`);
  return result;
}

describe('alert rules', () => {
  const models = demoModels();
  const ranker = models.find(m => m.entityRef === 'model:default/home-feed-ranker')!;
  const RULES = ['ModelContractViolation', 'ModelDataDrift', 'ModelCanaryRolledBack', 'ModelLatencyOverBudget', 'ModelLatencySLOBudgetBurn', 'ModelLatencySLOBudgetBurnSlow', 'ModelErrorSLOBudgetBurn', 'ModelErrorSLOBudgetBurnSlow'];

  it('gives every Model one group with its alerts, their severity and runbook_url', () => {
    const file = parse(alertRuleFile(models, PORTAL));
    expect(file.groups).toHaveLength(models.length);
    const group = file.groups.find((g: any) => g.name === 'modelrails-default-home-feed-ranker');
    const runbook = (id: string) => `http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=${id}`;
    expect(group.rules.map((r: any) => [r.alert, r.labels.severity, r.labels.alert_kind, r.annotations.runbook_url])).toEqual([
      ['ModelContractViolation', 'page', 'contract-violation', runbook('model-runbooks-home-feed-ranker')],
      ['ModelDataDrift', 'warning', 'data-drift', runbook('model-runbooks-home-feed-ranker')],
      ['ModelCanaryRolledBack', 'page', 'canary-rollback', runbook('canary-rollback')],
      ['ModelLatencyOverBudget', 'page', 'latency-regression', runbook('latency-regression')],
      ['ModelLatencySLOBudgetBurn', 'page', 'latency-regression', runbook('latency-regression')],
      ['ModelLatencySLOBudgetBurnSlow', 'warning', 'latency-regression', runbook('latency-regression')],
      ['ModelErrorSLOBudgetBurn', 'page', 'error-rate', runbook('error-rate')],
      ['ModelErrorSLOBudgetBurnSlow', 'warning', 'error-rate', runbook('error-rate')],
    ]);
    // Latency from the histogram in seconds, over the budget's own bucket.
    expect(group.rules[3].expr).toBe(
      `histogram_quantile(0.99, sum by (model, le) (rate(mlops_prediction_latency_seconds_bucket{model="model:default/home-feed-ranker"}[15m]))) > ${budgetBucketLabel(latencyBudgetMs(ranker.policy))}`,
    );
    expect(parse(alertRuleFile([ranker], PORTAL, { dataDriftFor: '30s' })).groups[0].rules[1].for).toBe('30s');
  });

  it('takes the latency budget from the p99 gate, else from the rollout analysis', () => {
    const withGate = { ...ranker.policy, gates: [{ kind: 'latency-budget', percentile: 'p99', maxMs: 25 }] } as any;
    const withoutGate = { ...ranker.policy, gates: [], rollout: { ...ranker.policy.rollout, analysis: { ...ranker.policy.rollout.analysis, maxP99LatencyMs: 80 } } } as any;
    expect(latencyBudgetMs(withGate)).toBe(25);
    expect(latencyBudgetMs(withoutGate)).toBe(80);
    expect(runbookPageUrl('https://portal/', 'model:team-a/x', 'data-drift')).toBe('https://portal/catalog/team-a/model/x/runbooks?runbook=data-drift');
  });

  it('passes promtool check rules', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    writeFileSync(path.join(dir, 'modelrails.rules.yaml'), alertRuleFile(models, PORTAL));
    const result = promtool(['check', 'rules', 'modelrails.rules.yaml'], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${models.length * RULES.length} rules found`);
  });

  it('fires as promtool test rules says, with labels and annotations filled in', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    writeFileSync(path.join(dir, 'modelrails.rules.yaml'), alertRuleFile([ranker], PORTAL));
    const model = 'model:default/home-feed-ranker';
    const rules = parse(alertRuleFile([ranker], PORTAL)).groups[0].rules;
    const budget = budgetBucketLabel(latencyBudgetMs(ranker.policy));
    const above = budgetBucketLabel(2 * latencyBudgetMs(ranker.policy));
    const maxErrorRate = ranker.policy.rollout.analysis.maxErrorRate;
    function expectAnnotations(alert: string, labels: Record<string, string> = {}) {
      const filled = { ...rules.find((r: any) => r.alert === alert).annotations };
      filled.summary = filled.summary.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_: string, name: string) => labels[name]);
      return filled;
    }
    const expected = (alert: string, labels: Record<string, string> = {}) => {
      const rule = rules.find((r: any) => r.alert === alert);
      return { exp_labels: { ...rule.labels, ...labels }, exp_annotations: expectAnnotations(alert, labels) };
    };
    // Two replicas (instances) each count half the traffic: the rules sum them.
    const perReplica = (series: string, values: string) => ['a', 'b'].map(instance => ({ series: series.replace('}', `,instance="${instance}"}`), values }));
    const latency = (le: string, perMinute: number, minutes: number) => perReplica(`mlops_prediction_latency_seconds_bucket{model="${model}",version="18",le="${le}"}`, `0+${perMinute}x${minutes}`);
    const tests = {
      rule_files: ['modelrails.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          // A contract violation, drift, a rollback, and a fast burn: 20 % of predictions over the
          // budget (20 times the 1 % the p99 objective allows) and 10 % failed (20 times 0.5 %).
          interval: '1m',
          input_series: [
            { series: `mlops_contract_violations{model="${model}",feature="user_country",segment="*",check="type-change",instance="a"}`, values: '_ 1 1 1 _' },
            { series: `mlops_drift_flagged{model="${model}",feature="item_price",segment="*",severity="warning",instance="a"}`, values: '1x30' },
            { series: `mlops_rollout_rolled_back{model="${model}",version="18",instance="a"}`, values: '0 1' },
            ...latency(budget, 40, 40),
            ...latency(above, 50, 40),
            ...latency('+Inf', 50, 40),
            ...perReplica(`mlops_prediction_latency_seconds_count{model="${model}",version="18"}`, '0+50x40'),
            ...perReplica(`mlops_predictions_total{model="${model}",version="18"}`, '0+50x40'),
            ...perReplica(`mlops_prediction_errors_total{model="${model}",version="18"}`, '0+5x40'),
          ],
          alert_rule_test: [
            { eval_time: '0m', alertname: 'ModelContractViolation', exp_alerts: [] },
            { eval_time: '2m', alertname: 'ModelContractViolation', exp_alerts: [expected('ModelContractViolation', { feature: 'user_country', segment: '*', check: 'type-change' })] },
            // Drift warns only after 15 minutes.
            { eval_time: '10m', alertname: 'ModelDataDrift', exp_alerts: [] },
            { eval_time: '20m', alertname: 'ModelDataDrift', exp_alerts: [expected('ModelDataDrift', { feature: 'item_price', segment: '*', severity: 'warning' })] },
            { eval_time: '0m', alertname: 'ModelCanaryRolledBack', exp_alerts: [] },
            { eval_time: '1m', alertname: 'ModelCanaryRolledBack', exp_alerts: [expected('ModelCanaryRolledBack', { version: '18' })] },
            { eval_time: '3m', alertname: 'ModelLatencyOverBudget', exp_alerts: [] },
            { eval_time: '8m', alertname: 'ModelLatencyOverBudget', exp_alerts: [expected('ModelLatencyOverBudget')] },
            { eval_time: '1m', alertname: 'ModelLatencySLOBudgetBurn', exp_alerts: [] },
            { eval_time: '5m', alertname: 'ModelLatencySLOBudgetBurn', exp_alerts: [expected('ModelLatencySLOBudgetBurn')] },
            { eval_time: '5m', alertname: 'ModelErrorSLOBudgetBurn', exp_alerts: [expected('ModelErrorSLOBudgetBurn')] },
            { eval_time: '30m', alertname: 'ModelErrorSLOBudgetBurnSlow', exp_alerts: [expected('ModelErrorSLOBudgetBurnSlow')] },
          ],
        },
        {
          // A slow burn: 2 % failed is 4 times the budget, under the pages' 6 and 14.4, over the
          // warning's 3. 0.4 % slow or failed burns nothing. Both stop once the traffic is healthy.
          interval: '1m',
          input_series: [
            ...perReplica(`mlops_predictions_total{model="${model}",version="18"}`, '0+500x500'),
            ...perReplica(`mlops_prediction_errors_total{model="${model}",version="18"}`, `0+${500 * 4 * maxErrorRate}x120 ${120 * 500 * 4 * maxErrorRate}+0x380`),
            ...latency(budget, 498, 500),
            ...latency('+Inf', 500, 500),
            ...perReplica(`mlops_prediction_latency_seconds_count{model="${model}",version="18"}`, '0+500x500'),
          ],
          alert_rule_test: [
            { eval_time: '60m', alertname: 'ModelErrorSLOBudgetBurn', exp_alerts: [] },
            { eval_time: '60m', alertname: 'ModelErrorSLOBudgetBurnSlow', exp_alerts: [expected('ModelErrorSLOBudgetBurnSlow')] },
            { eval_time: '60m', alertname: 'ModelLatencySLOBudgetBurn', exp_alerts: [] },
            { eval_time: '60m', alertname: 'ModelLatencySLOBudgetBurnSlow', exp_alerts: [] },
            // Errors stop after 120 minutes: the budget spent still burns too fast over 6 hours (and
            // 3 days) until the 6-hour window holds none of them, then the warning resolves.
            { eval_time: '300m', alertname: 'ModelErrorSLOBudgetBurnSlow', exp_alerts: [expected('ModelErrorSLOBudgetBurnSlow')] },
            { eval_time: '490m', alertname: 'ModelErrorSLOBudgetBurnSlow', exp_alerts: [] },
          ],
        },
      ],
    };
    writeFileSync(path.join(dir, 'tests.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
