import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  formatFieldPath,
  isModelEntity,
  modelSpecRefs,
  parseModelEntity,
} from './entity';
import { parseDuration } from '../duration';

const catalogDir = join(__dirname, '../../../../catalog');

function demoModels() {
  return parseAllDocuments(readFileSync(join(catalogDir, 'models.yaml'), 'utf8'))
    .map(d => d.toJS())
    .filter(e => e?.kind === 'Model');
}

const minimal = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'm' },
  spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', ...spec },
});

function fieldsOf(entity: unknown): string[] {
  const result = parseModelEntity(entity);
  if (result.success) {
    return [];
  }
  return result.problems.map(p => p.field);
}

describe('parseModelEntity', () => {
  it('accepts every demo model, at least twelve of them, at every lifecycle stage', () => {
    const models = demoModels();
    expect(models.length).toBeGreaterThanOrEqual(12);
    for (const model of models) {
      const result = parseModelEntity(model);
      expect({ name: model.metadata.name, ok: result.success, result }).toMatchObject({ ok: true });
    }
    const lifecycles = new Set(models.map(m => m.spec.lifecycle));
    expect([...lifecycles].sort()).toEqual(
      ['deprecated', 'development', 'experimental', 'production', 'retired', 'staging'],
    );
  });

  it('fills in the defaults from PRODUCT.md when a Model has no policy', () => {
    const result = parseModelEntity(minimal());
    if (!result.success) throw new Error(JSON.stringify(result.problems));
    const { policy } = result.entity.spec;
    expect(policy.rollout.steps.map(s => s.weight)).toEqual([5, 25, 50, 100]);
    expect(policy.rollout.analysis).toMatchObject({
      maxErrorRate: 0.005,
      maxP99LatencyMs: 60,
      kpi: 'ctr',
      maxKpiRelativeDrop: 0.02,
      significance: 0.05,
    });
    expect(policy.drift.psi).toEqual({ warning: 0.25, critical: 0.5 });
    expect(policy.drift.tail).toEqual({ alpha: 0.01, warningRatio: 1.5, criticalRatio: 3 });
    expect(policy.retraining).toMatchObject({ minInterval: '24h', maxDeclineVsBaseline: 0.1, baselineWindow: '7d' });
    expect(policy.rollout.shadow.minRankCorrelation).toBe(0.7);
    expect(policy.kpis.map(k => k.name)).toEqual(['ctr']);
    expect(result.entity.spec.datasets).toEqual([]);
  });

  it('keeps explicit values over defaults', () => {
    const result = parseModelEntity(
      minimal({ policy: { drift: { psi: { warning: 0.1, critical: 0.2 } }, rollout: { steps: [{ weight: 100 }] } } }),
    );
    if (!result.success) throw new Error(JSON.stringify(result.problems));
    expect(result.entity.spec.policy.drift.psi).toEqual({ warning: 0.1, critical: 0.2 });
    expect(result.entity.spec.policy.rollout.steps).toEqual([{ weight: 100, minDuration: '10m', minSamples: 1000 }]);
  });

  it.each([
    ['an unknown type', { type: 'recommender' }, 'spec.type'],
    ['an owner that is a component', { owner: 'component:default/x' }, 'spec.owner'],
    ['a malformed entity reference', { servedBy: 'component:' }, 'spec.servedBy'],
    ['a system reference to a resource', { system: 'resource:x' }, 'spec.system'],
    ['an unknown field', { colour: 'blue' }, 'spec.colour'],
    ['a gate with a string threshold', { policy: { gates: [{ kind: 'metric-floor', metric: 'auc', min: 'high' }] } }, 'spec.policy.gates[0].min'],
    ['a fairness gate without sliceBy', { policy: { gates: [{ kind: 'fairness', metric: 'auc', maxGap: 0.1 }] } }, 'spec.policy.gates[0].sliceBy'],
    ['a negative latency budget', { policy: { gates: [{ kind: 'latency-budget', maxMs: -1 }] } }, 'spec.policy.gates[0].maxMs'],
    ['an unknown correction', { policy: { drift: { correction: 'holm' } } }, 'spec.policy.drift.correction'],
    ['a tail ratio that is no growth', { policy: { drift: { tail: { warningRatio: 1 } } } }, 'spec.policy.drift.tail.warningRatio'],
    ['a critical tail ratio below the warning one', { policy: { drift: { tail: { warningRatio: 2, criticalRatio: 1.5 } } } }, 'spec.policy.drift.tail.criticalRatio'],
    ['a tail alpha of 1', { policy: { drift: { tail: { alpha: 1 } } } }, 'spec.policy.drift.tail.alpha'],
    ['a webhook target that is not a URL', { policy: { retraining: { target: { kind: 'webhook', url: 'not a url' } } } }, 'spec.policy.retraining.target.url'],
    ['a KPI with an SLO upside down', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'predictions' }, denominator: { source: 'predictions' }, slo: { min: 2, max: 1 } }] } }, 'spec.policy.kpis[0].slo.min'],
    ['an Istio target in a namespace Kubernetes would refuse', { policy: { rollout: { traffic: { kind: 'istio', namespace: 'ML_Team', virtualService: 'feed' } } } }, 'spec.policy.rollout.traffic.namespace'],
    ['a KServe target without its InferenceService', { policy: { rollout: { traffic: { kind: 'kserve', namespace: 'ml' } } } }, 'spec.policy.rollout.traffic.inferenceService'],
    ['an unknown traffic router', { policy: { rollout: { traffic: { kind: 'linkerd' } } } }, 'spec.policy.rollout.traffic.kind'],
    ['an Istio host split naming only one host', { policy: { rollout: { traffic: { kind: 'istio', namespace: 'ml', virtualService: 'feed', hosts: { challenger: 'feed-canary' } } } } }, 'spec.policy.rollout.traffic.hosts.champion'],
    ['a Gateway API target without its backend Service', { policy: { rollout: { traffic: { kind: 'gateway-api', namespace: 'ml', httpRoute: 'feed' } } } }, 'spec.policy.rollout.traffic.backend'],
    ['a Gateway API port out of range', { policy: { rollout: { traffic: { kind: 'gateway-api', namespace: 'ml', httpRoute: 'feed', backend: 'feed-v{version}', port: 70000 } } } }, 'spec.policy.rollout.traffic.port'],
    ['an Argo target naming no template', { policy: { retraining: { target: { kind: 'argo-workflow', namespace: 'ml' } } } }, 'spec.policy.retraining.target.workflowTemplate'],
    [
      'an Argo target naming both kinds of template',
      { policy: { retraining: { target: { kind: 'argo-workflow', namespace: 'ml', workflowTemplate: 'a', clusterWorkflowTemplate: 'b' } } } },
      'spec.policy.retraining.target.workflowTemplate',
    ],
    [
      'an Argo parameter ModelRails sets itself',
      { policy: { retraining: { target: { kind: 'argo-workflow', namespace: 'ml', workflowTemplate: 'a', parameters: { model: 'x' } } } } },
      'spec.policy.retraining.target.parameters.model',
    ],
    [
      'a canary KPI that is not a share of predictions',
      { policy: { kpis: [{ name: 'conversion', numerator: { source: 'outcome', outcome: 'purchase' }, denominator: { source: 'outcome', outcome: 'session' } }], rollout: { analysis: { kpi: 'conversion' } } } },
      'spec.policy.rollout.analysis.kpi',
    ],
    ['a KPI over itself', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'predictions' }, denominator: { source: 'predictions' } }] } }, 'spec.policy.kpis[0].denominator'],
    ['an outcome term without its outcome', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome' }, denominator: { source: 'predictions' } }] } }, 'spec.policy.kpis[0].numerator.outcome'],
    ['an outcome name telemetry cannot send', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'Click!' }, denominator: { source: 'predictions' } }] } }, 'spec.policy.kpis[0].numerator.outcome'],
    ['a predictions term naming an outcome', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions', outcome: 'x' } }] } }, 'spec.policy.kpis[0].denominator.outcome'],
    ['an unknown term source', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'sessions' }, denominator: { source: 'predictions' } }] } }, 'spec.policy.kpis[0].numerator.source'],
    ['a proportion SLO above 1', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, slo: { max: 3 } }] } }, 'spec.policy.kpis[0].slo.max'],
    ['a KPI segment twice', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, segments: ['platform', 'platform'] }] } }, 'spec.policy.kpis[0].segments[1]'],
    ['a KPI direction that is neither', { policy: { kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, direction: 'up' }] } }, 'spec.policy.kpis[0].direction'],
    ['more than 10 segment tags with drift', { policy: { drift: { segments: ['a', 'b', 'c', 'd', 'e', 'f'] }, kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, segments: ['g', 'h', 'i', 'j', 'k'] }] } }, 'spec.policy.kpis'],
    ['a cost model without replicas', { policy: { cost: { environment: 'production', replicas: [] } } }, 'spec.policy.cost.replicas'],
    ['a cost model reading an unnamed Deployment', { policy: { cost: { replicas: [{ kind: 'Deployment', namespace: 'recs' }] } } }, 'spec.policy.cost.replicas[0].name'],
    ['a negative fixed replica count', { policy: { cost: { replicas: [{ kind: 'fixed', count: -1 }] } } }, 'spec.policy.cost.replicas[0].count'],
    ['an absolute runbook path', { runbooks: [{ title: 'x', path: '/etc/passwd.md' }] }, 'spec.runbooks[0].path'],
    ['a runbook that is not Markdown', { runbooks: [{ title: 'x', path: 'notes.txt' }] }, 'spec.runbooks[0].path'],
  ])('rejects %s and names the field', (_what, spec, field) => {
    expect(fieldsOf(minimal(spec))).toContain(field);
  });

  it('accepts Istio host splits, Gateway API routes and Argo targets with parameters', () => {
    const result = parseModelEntity(
      minimal({
        policy: {
          rollout: { traffic: { kind: 'istio', namespace: 'ml', virtualService: 'feed', route: 'primary', hosts: { champion: 'feed-stable', challenger: 'feed-canary' } } },
          retraining: { target: { kind: 'argo-workflow', namespace: 'ml', clusterWorkflowTemplate: 'retrain', entrypoint: 'main', parameters: { 'feature-view': 'v3' } } },
        },
      }),
    );
    if (!result.success) throw new Error(JSON.stringify(result.problems));
    expect(result.entity.spec.policy.rollout.traffic).toMatchObject({ hosts: { champion: 'feed-stable', challenger: 'feed-canary' } });
    const gateway = parseModelEntity(minimal({ policy: { rollout: { traffic: { kind: 'gateway-api', namespace: 'ml', httpRoute: 'feed', backend: 'feed-v{version}', port: 8080 } } } }));
    expect(gateway.success).toBe(true);
  });

  it('accepts traffic routers and retraining actions that backend modules add, by name with their config', () => {
    const result = parseModelEntity(
      minimal({
        policy: {
          rollout: { traffic: { kind: 'plugin', name: 'acme/linkerd', config: { service: 'ranker', port: 8080 } } },
          retraining: { target: { kind: 'plugin', name: 'acme-ci' } },
        },
      }),
    );
    if (!result.success) throw new Error(JSON.stringify(result.problems));
    expect(result.entity.spec.policy.rollout.traffic).toEqual({ kind: 'plugin', name: 'acme/linkerd', config: { service: 'ranker', port: 8080 } });
    expect(result.entity.spec.policy.retraining.target).toEqual({ kind: 'plugin', name: 'acme-ci', config: {} });
    expect(fieldsOf(minimal({ policy: { rollout: { traffic: { kind: 'plugin', name: 'Not A Name' } } } }))).toContain('spec.policy.rollout.traffic.name');
    expect(fieldsOf(minimal({ policy: { rollout: { traffic: { kind: 'plugin', name: 'x', colour: 'red' } } } }))).toContain('spec.policy.rollout.traffic.colour');
  });

  it("accepts LLM and embedding models naming the catalog's ai-model Resource and model-server Component, and refuses other kinds there", () => {
    for (const type of ['llm', 'embedding']) {
      expect(fieldsOf(minimal({ type, aiModel: 'resource:default/granite-8b', servedBy: 'model-server' }))).toEqual([]);
    }
    expect(fieldsOf(minimal({ type: 'llm', aiModel: 'component:granite-8b' }))).toEqual(['spec.aiModel']);
    expect(fieldsOf(minimal({ type: 'llm', aiModel: ['granite-8b'] }))).toEqual(['spec.aiModel']);
    const result = parseModelEntity(minimal({ type: 'llm', aiModel: 'granite-8b' }));
    if (!result.success) throw new Error('invalid');
    expect(modelSpecRefs(result.entity.spec, 'ai').aiModel).toBe('resource:ai/granite-8b');
  });

  it('rejects a wrong apiVersion and kind by name', () => {
    expect(fieldsOf({ ...minimal(), apiVersion: 'backstage.io/v1alpha1' })).toContain('apiVersion');
    expect(fieldsOf({ ...minimal(), kind: 'Component' })).toContain('kind');
  });

  it('names a problem in any generated policy field it cannot accept, and never throws', () => {
    // Whatever junk lands in a policy section, parsing returns problems whose fields sit inside
    // spec.policy, or succeeds; it never throws and never blames a field elsewhere.
    fc.assert(
      fc.property(
        fc.constantFrom('gates', 'rollout', 'drift', 'retraining', 'kpis', 'approvals'),
        fc.anything(),
        (section, junk) => {
          const result = parseModelEntity(minimal({ policy: { [section]: junk } }));
          const problems = result.success ? [] : result.problems;
          expect(result.success || problems.length > 0).toBe(true);
          expect(problems.filter(p => !p.field.startsWith('spec.policy') || !p.message)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts any increasing rollout that ends at 100 % and rejects any that does not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }), weights => {
        const steps = weights.map(weight => ({ weight }));
        const increasing = weights.every((w, i) => i === 0 || w > weights[i - 1]);
        const endsAtFull = weights[weights.length - 1] === 100;
        const result = parseModelEntity(minimal({ policy: { rollout: { steps } } }));
        expect(result.success).toBe(increasing && endsAtFull);
      }),
      { numRuns: 300 },
    );
  });
});

describe('helpers', () => {
  it('formats field paths the way people write them', () => {
    expect(formatFieldPath(['spec', 'policy', 'gates', 0, 'min'])).toBe('spec.policy.gates[0].min');
    expect(formatFieldPath([])).toBe('(entity)');
  });

  it('recognises Model entities whatever the case of the kind, and only ours', () => {
    expect(isModelEntity({ apiVersion: 'modelrails.io/v1alpha1', kind: 'model' })).toBe(true);
    expect(isModelEntity({ apiVersion: 'backstage.io/v1alpha1', kind: 'Model' })).toBe(false);
  });

  it('normalises spec references with the right default kinds and the entity namespace', () => {
    const result = parseModelEntity(
      minimal({ system: 'recs', datasets: ['clicks', 'resource:shared/orders'], servedBy: 'svc' }),
    );
    if (!result.success) throw new Error('invalid');
    expect(modelSpecRefs(result.entity.spec, 'team-a')).toEqual({
      owner: 'group:team-a/ranking-team',
      system: 'system:team-a/recs',
      datasets: ['resource:team-a/clicks', 'resource:shared/orders'],
      featureSets: [],
      servedBy: 'component:team-a/svc',
    });
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(() => parseDuration('10 minutes')).toThrow(/Invalid duration/);
  });
});
