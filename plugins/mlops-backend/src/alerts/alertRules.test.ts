import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { AlertKind, parseModelEntity } from '@modelrails/plugin-mlops-common';
import { runbookIndex } from '../runbooks/RunbookService';
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

  it('gives every Model one group with the four alerts, their severity and runbook_url', () => {
    const file = parse(alertRuleFile(models, PORTAL));
    expect(file.groups).toHaveLength(models.length);
    const group = file.groups.find((g: any) => g.name === 'modelrails-default-home-feed-ranker');
    expect(group.rules.map((r: any) => [r.alert, r.labels.severity, r.labels.alert_kind, r.annotations.runbook_url])).toEqual([
      ['ModelContractViolation', 'page', 'contract-violation', 'http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=model-runbooks-home-feed-ranker'],
      ['ModelDataDrift', 'warning', 'data-drift', 'http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=model-runbooks-home-feed-ranker'],
      ['ModelCanaryRolledBack', 'page', 'canary-rollback', 'http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=canary-rollback'],
      ['ModelLatencyOverBudget', 'page', 'latency-regression', 'http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=latency-regression'],
    ]);
    expect(group.rules[3].expr).toBe(`max by (model) (mlops_latency_p99_ms{model="model:default/home-feed-ranker"}) > ${latencyBudgetMs(ranker.policy)}`);
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
    expect(result.stdout).toContain(`SUCCESS: ${models.length * 4} rules found`);
  });

  it('fires as promtool test rules says, with labels and annotations filled in', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    writeFileSync(path.join(dir, 'modelrails.rules.yaml'), alertRuleFile([ranker], PORTAL));
    const model = 'model:default/home-feed-ranker';
    const runbook = 'http://portal.example:3000/catalog/default/model/home-feed-ranker/runbooks?runbook=';
    const tests = {
      rule_files: ['modelrails.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `mlops_contract_violations{model="${model}",feature="user_country",segment="*",check="type-change",instance="a"}`, values: '_ 1 1 1 _' },
            { series: `mlops_drift_flagged{model="${model}",feature="item_price",segment="*",severity="warning",instance="a"}`, values: '1x30' },
            { series: `mlops_latency_p99_ms{model="${model}",instance="a"}`, values: `${latencyBudgetMs(ranker.policy) + 5}x10` },
            { series: `mlops_rollout_rolled_back{model="${model}",version="18",instance="a"}`, values: '0 1' },
          ],
          alert_rule_test: [
            { eval_time: '0m', alertname: 'ModelContractViolation', exp_alerts: [] },
            {
              eval_time: '2m',
              alertname: 'ModelContractViolation',
              exp_alerts: [
                {
                  exp_labels: { severity: 'page', alert_kind: 'contract-violation', model, feature: 'user_country', segment: '*', check: 'type-change' },
                  exp_annotations: {
                    summary: 'Home feed ranker: user_country fails its contract (type-change, segment *)',
                    description: 'A feature the model reads changed shape upstream; predictions use broken inputs.',
                    runbook_url: `${runbook}model-runbooks-home-feed-ranker`,
                  },
                },
              ],
            },
            // Drift warns only after 15 minutes.
            { eval_time: '10m', alertname: 'ModelDataDrift', exp_alerts: [] },
            {
              eval_time: '20m',
              alertname: 'ModelDataDrift',
              exp_alerts: [{ exp_labels: { severity: 'warning', alert_kind: 'data-drift', model, feature: 'item_price', segment: '*' }, exp_annotations: expectAnnotations('data-drift') }],
            },
            { eval_time: '3m', alertname: 'ModelLatencyOverBudget', exp_alerts: [] },
            { eval_time: '6m', alertname: 'ModelLatencyOverBudget', exp_alerts: [{ exp_labels: { severity: 'page', alert_kind: 'latency-regression', model }, exp_annotations: expectAnnotations('latency-regression') }] },
            { eval_time: '0m', alertname: 'ModelCanaryRolledBack', exp_alerts: [] },
            { eval_time: '1m', alertname: 'ModelCanaryRolledBack', exp_alerts: [{ exp_labels: { severity: 'page', alert_kind: 'canary-rollback', model, version: '18' }, exp_annotations: expectAnnotations('canary-rollback') }] },
          ],
        },
      ],
    };
    function expectAnnotations(kind: AlertKind) {
      const rule = parse(alertRuleFile([ranker], PORTAL)).groups[0].rules.find((r: any) => r.labels.alert_kind === kind);
      const filled = { ...rule.annotations };
      filled.summary = filled.summary
        .replace('{{ $labels.feature }}', 'item_price')
        .replace('{{ $labels.severity }}', 'warning')
        .replace('{{ $labels.segment }}', '*')
        .replace('{{ $labels.version }}', '18')
        .replace('{{ $value | printf "%.0f" }}', String(latencyBudgetMs(ranker.policy) + 5));
      return filled;
    }
    writeFileSync(path.join(dir, 'tests.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
