import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeKubernetesApi } from '../__testUtils__/FakeKubernetesApi';
import { RealKubernetes, startRealKubernetes } from '../__testUtils__/realKubernetes';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { migrateDatabase } from '../migrations';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultDriftService } from '../drift/DriftService';
import { DefaultEvaluationService } from '../evaluation/EvaluationService';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { toWire, trainingProfile, TrafficScenario, TrafficSimulator } from '../demo/simulation';
import { DefaultTelemetryService, TelemetryService } from '../telemetry/TelemetryService';
import { BUCKET_MS } from '../telemetry/constants';
import { kubeConfigFrom } from '../kubernetes/kubeConfig';
import { ArgoWorkflowSubmitter, RetrainActions, WebhookCaller } from './RetrainActions';
import { OutboundHosts } from '../outbound/OutboundHosts';
import { DefaultRetrainingTriggers } from './RetrainingTriggers';

jest.setTimeout(120_000);

const MODEL = 'model:default/home-feed-ranker';
const DAY = 86_400_000;
const databases = createTestDatabases();

// Workflows the fake is sent are dry-run against the real API server with Argo's published CRD.
let realKubernetes: RealKubernetes;
beforeAll(async () => {
  realKubernetes = await startRealKubernetes();
});
afterAll(() => realKubernetes?.stop());

describe.each(databases.eachSupportedId())('retraining triggers on %s', databaseId => {
  const kubernetes = new FakeKubernetesApi();
  beforeAll(async () => {
    kubernetes.validateWith = realKubernetes.request;
    await kubernetes.start();
    kubernetes.namespaces.add('ml-training');
  });
  afterAll(() => kubernetes.stop());
  beforeEach(() => {
    kubernetes.faults.length = 0;
  });

  async function setup(policyInput: ModelPolicyInput, now: { t: number }) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseTelemetryStore(knex);
    const policy = modelPolicySchema.parse(policyInput);
    const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, rawSampleRate: 0, now: () => now.t, retentionMs: 30 * DAY });
    const config = mockServices.rootConfig({ data: { mlops: { kubernetes: { url: kubernetes.url, token: kubernetes.token, skipTLSVerify: true } } } });
    const metrics = new TelemetryMetrics();
    const triggers = new DefaultRetrainingTriggers({
      store,
      evaluation: new DefaultEvaluationService(store, () => now.t),
      actions: new RetrainActions({ argo: new ArgoWorkflowSubmitter(kubeConfigFrom(config)!, 5), webhook: new WebhookCaller(new OutboundHosts(['127.0.0.1']), 5) }),
      metrics,
      logger: mockServices.logger.mock(),
      now: () => now.t,
    });
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    return { store, policy, telemetry, drift: new DefaultDriftService(store, telemetry, () => now.t), triggers, metrics };
  }

  async function stream(telemetry: TelemetryService, from: number, buckets: number, perBucket: number, scenario: (b: number) => TrafficScenario, seed = 5) {
    const sim = new TrafficSimulator(MODEL, `pod-${seed}`, seed);
    for (let b = 0; b < buckets; b++) {
      const start = from + b * BUCKET_MS;
      const events = sim.events('17', perBucket, start, start + BUCKET_MS, scenario(b));
      await telemetry.ingestPredictions({ batchId: `${seed}-${start}`, source: `pod-${seed}`, events: toWire(events) });
      const clicks = events.filter(e => e.clicked);
      if (clicks.length) {
        await telemetry.ingestOutcomes({
          batchId: `${seed}-${start}-clicks`,
          source: `labels-${seed}`,
          outcomes: clicks.map(e => ({ requestId: e.requestId, sequence: e.sequence, outcome: 'click', time: e.time + 1000 })),
        });
      }
    }
  }

  const argo = { retraining: { target: { kind: 'argo-workflow', namespace: 'ml-training', workflowTemplate: 'retrain-ranker' } } } as const;
  /** A drift report with one feature over the warning threshold. */
  const warningDrift = (feature: string) =>
    ({
      modelRef: MODEL,
      version: '17',
      window: { from: '', to: '' },
      features: [{ feature, segment: '*', kind: 'numeric', flagged: true, psi: 0.3, thresholds: { warning: 0.25, critical: 0.5 } }],
    }) as any;

  it('drift submits one Argo Workflow from the WorkflowTemplate, then holds back until the interval passes unless critical', async () => {
    const now = { t: Date.UTC(2026, 10, 23, 12) };
    const { telemetry, drift, triggers, store, policy, metrics } = await setup(argo, now);
    await stream(telemetry, now.t - 12 * BUCKET_MS, 12, 600, () => ({ priceShift: 0.6 }));
    const report = await drift.report(MODEL);
    const first = await triggers.onDriftReport(report, policy);
    expect(first).toMatchObject({ reason: 'drift', severity: 'normal', status: 'submitted', approvalBeforeCanary: true });
    const [workflow] = kubernetes.list('argoproj.io', 'workflows', 'ml-training');
    expect(workflow).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'retrain-ranker-', labels: { 'modelrails.io/reason': 'drift' } },
      spec: { workflowTemplateRef: { name: 'retrain-ranker' } },
    });
    expect(workflow.spec).toMatchObject({ arguments: { parameters: expect.arrayContaining([{ name: 'require-approval', value: 'true' }, { name: 'model', value: MODEL }]) } });
    expect(first!.action).toMatchObject({ workflow: workflow.metadata.name, namespace: 'ml-training' });

    // An hour later the same drift persists: the incident has its retrain, nothing more is recorded.
    now.t += 3600_000;
    expect(await triggers.onDriftReport(report, policy)).toBeUndefined();
    expect(kubernetes.list('argoproj.io', 'workflows', 'ml-training')).toHaveLength(1);

    // The incident turns critical: worse, so it goes through the interval.
    const critical = { ...report, features: report.features.map(f => (f.feature === 'item_price' ? { ...f, psi: 0.9 } : f)) };
    expect(await triggers.onDriftReport(critical, policy)).toMatchObject({ severity: 'critical', status: 'submitted' });
    expect(kubernetes.list('argoproj.io', 'workflows', 'ml-training')).toHaveLength(2);
    const metricsText = await metrics.registry.metrics();
    expect(metricsText).toContain(`mlops_retrain_triggers_total{model="${MODEL}",reason="drift",status="submitted"} 2`);
    expect((await store.listTriggers(MODEL, 10)).map(t => t.status)).toEqual(['submitted', 'submitted']);
  });

  it('fires one trigger per drift incident, however often the monitor sees it, critical or not', async () => {
    const now = { t: Date.UTC(2026, 10, 23, 12) };
    const { triggers, policy, store } = await setup({ retraining: { minInterval: '24h' } }, now);
    const feature = (name: string, psi: number) => ({ feature: name, segment: '*', kind: 'numeric', flagged: true, psi, thresholds: { warning: 0.25, critical: 0.5 } });
    const report = (...features: unknown[]) => ({ modelRef: MODEL, version: '17', window: { from: '', to: '' }, features }) as any;
    const statuses = async () => (await store.listTriggers(MODEL, 100)).map(t => `${t.severity}:${t.status}`).reverse();

    // Critical drift seen by every monitor run for an hour: one trigger.
    for (let minute = 0; minute < 60; minute++, now.t += 60_000) await triggers.onDriftReport(report(feature('item_price', 0.9)), policy);
    expect(await statuses()).toEqual(['critical:recorded']);

    // The incident closes and reopens: a new incident, critical, so it fires inside the interval.
    await triggers.onDriftReport(report(feature('item_price', 0.1)), policy);
    for (let minute = 0; minute < 30; minute++, now.t += 60_000) await triggers.onDriftReport(report(feature('item_price', 0.8)), policy);
    expect(await statuses()).toEqual(['critical:recorded', 'critical:recorded']);

    // A new incident below critical inside the interval: held back, and recorded as held back once.
    await triggers.onDriftReport(report(), policy);
    for (let minute = 0; minute < 120; minute++, now.t += 60_000) await triggers.onDriftReport(report(feature('user_age', 0.3)), policy);
    expect(await statuses()).toEqual(['critical:recorded', 'critical:recorded', 'normal:suppressed']);

    // It gets worse (turns critical): through the interval, once.
    for (let minute = 0; minute < 30; minute++, now.t += 60_000) await triggers.onDriftReport(report(feature('user_age', 0.7)), policy);
    expect(await statuses()).toEqual(['critical:recorded', 'critical:recorded', 'normal:suppressed', 'critical:recorded']);

    // Still open after the interval: one retrain more, as persistent drift always had.
    now.t += 24 * 3600_000;
    for (let minute = 0; minute < 10; minute++, now.t += 60_000) await triggers.onDriftReport(report(feature('user_age', 0.7)), policy);
    expect(await statuses()).toEqual(['critical:recorded', 'critical:recorded', 'normal:suppressed', 'critical:recorded', 'critical:recorded']);
  });

  it("passes a ClusterWorkflowTemplate, an entrypoint and the template's own parameters, and follows the Workflow's phase to the end", async () => {
    const now = { t: Date.UTC(2026, 10, 23, 12) };
    const target = {
      kind: 'argo-workflow',
      namespace: 'ml-training',
      clusterWorkflowTemplate: 'retrain-gbdt',
      entrypoint: 'train-and-register',
      // The template declares these without a default: without them Argo refuses the Workflow.
      parameters: { 'feature-view': 'ranker_features_v3', 'gpu-type': 'a100' },
    } as const;
    const { triggers, policy, store } = await setup({ retraining: { target } }, now);
    const report = warningDrift('x');
    const trigger = (await triggers.onDriftReport(report, policy))!;
    expect(trigger.status).toBe('submitted');
    const workflow = kubernetes.list('argoproj.io', 'workflows', 'ml-training').find(w => w.metadata.labels['modelrails.io/trigger-id'] === trigger.id)!;
    // Written as Argo's own `argo submit --from clusterworkflowtemplate/…` writes it (and accepted by Argo's CRD).
    expect(workflow.metadata).toMatchObject({ generateName: 'retrain-gbdt-', labels: { 'workflows.argoproj.io/cluster-workflow-template': 'retrain-gbdt' } });
    expect(workflow.spec).toMatchObject({ workflowTemplateRef: { name: 'retrain-gbdt', clusterScope: true }, entrypoint: 'train-and-register' });
    expect((workflow.spec as any).arguments.parameters).toEqual(
      expect.arrayContaining([{ name: 'feature-view', value: 'ranker_features_v3' }, { name: 'gpu-type', value: 'a100' }, { name: 'trigger-id', value: trigger.id }]),
    );

    const policyOf = async () => policy;
    const runOf = async () => (await triggers.list(MODEL, 10)).find(t => t.id === trigger.id)!.run;
    // Submitted, not yet picked up by the controller: Pending.
    await triggers.followRuns(policyOf);
    expect(await runOf()).toMatchObject({ phase: 'Pending', finished: false });
    const setPhase = (phase: string, message?: string) =>
      kubernetes.put('argoproj.io', 'workflows', 'ml-training', { ...workflow, status: { phase, ...(message ? { message } : {}) } });
    setPhase('Running');
    now.t += 60_000;
    await triggers.followRuns(policyOf);
    expect(await runOf()).toMatchObject({ phase: 'Running', finished: false });
    setPhase('Failed', 'child \'train-and-register-1234\' failed: OOMKilled (exit code 137)');
    now.t += 60_000;
    await triggers.followRuns(policyOf);
    expect(await runOf()).toEqual({ phase: 'Failed', message: "child 'train-and-register-1234' failed: OOMKilled (exit code 137)", finished: true, checkedAt: new Date(now.t).toISOString() });
    // Finished runs are not asked about again.
    const requests = kubernetes.requests.length;
    await triggers.followRuns(policyOf);
    expect(kubernetes.requests.slice(requests).filter(r => r.path.endsWith(workflow.metadata.name))).toEqual([]);
    expect((await store.listTriggers(MODEL, 10)).find(t => t.id === trigger.id)!.status).toBe('submitted');
  });

  it('reports a Workflow deleted before it finished, and keeps asking while the cluster is unreachable', async () => {
    const now = { t: Date.UTC(2026, 10, 23, 12) };
    const { triggers, policy } = await setup(argo, now);
    const report = warningDrift('y');
    const trigger = (await triggers.onDriftReport(report, policy))!;
    const runOf = async () => (await triggers.list(MODEL, 10)).find(t => t.id === trigger.id)!.run;
    kubernetes.down = true;
    await triggers.followRuns(async () => policy);
    expect(await runOf()).toBeUndefined();
    kubernetes.down = false;
    const name = (trigger.action as { workflow: string }).workflow;
    await fetch(`${kubernetes.url}/apis/argoproj.io/v1alpha1/namespaces/ml-training/workflows/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${kubernetes.token}` } });
    await triggers.followRuns(async () => policy);
    expect(await runOf()).toMatchObject({ phase: 'Deleted', finished: true, message: expect.stringMatching(/no longer exists/) });
  });

  it('retries 5xx from the Kubernetes API and fails cleanly on 404 (no such namespace)', async () => {
    const now = { t: Date.UTC(2026, 10, 23, 12) };
    const { triggers, policy, store } = await setup(argo, now);
    const report = warningDrift('x');
    kubernetes.faults.push(503, 500);
    expect(await triggers.onDriftReport(report, policy)).toMatchObject({ status: 'submitted' });
    const missing = modelPolicySchema.parse({ retraining: { target: { kind: 'argo-workflow', namespace: 'nowhere', workflowTemplate: 't' } } });
    now.t += 2 * DAY;
    const failed = await triggers.onDriftReport(report, missing);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(String(failed!.action!.error)).toMatch(/404 NotFound: namespaces "nowhere" not found/);
    expect((await store.listTriggers(MODEL, 5))[0].status).toBe('failed');
  });

  it('a gradual decline of matured-label AUC fires the performance trigger through the webhook', async () => {
    const received: any[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(received.length === 1 ? 502 : 202).end();
      });
    });
    await new Promise<void>(resolve => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/retrain`;
    const now = { t: Date.UTC(2026, 10, 23, 6) };
    const { telemetry, triggers, policy, store } = await setup({ retraining: { target: { kind: 'webhook', url } } }, now);
    const today = Date.UTC(2026, 10, 23);
    // Eight days; clicks follow the score less and less (the seed's slow decline): each day a
    // growing share of traffic gets clicks unrelated to its score.
    for (let d = 7; d >= 0; d--) {
      await stream(telemetry, today - d * DAY, 3, 400, () => ({ clickRateFactor: 1 }), 100 + d);
      const unrelated = (7 - d) ** 2 * 60;
      if (unrelated) {
        const sim = new TrafficSimulator(MODEL, `noise-${d}`, 200 + d);
        const events = sim.events('17', unrelated, today - d * DAY + 3 * BUCKET_MS, today - d * DAY + 4 * BUCKET_MS);
        await telemetry.ingestPredictions({ batchId: `noise-${d}`, source: `noise-${d}`, events: toWire(events) });
        const random = events.filter((_, i) => i % 7 === 0);
        await telemetry.ingestOutcomes({ batchId: `noise-${d}-clicks`, source: `noise-labels-${d}`, outcomes: random.map(e => ({ requestId: e.requestId, sequence: e.sequence, outcome: 'click', time: e.time })) });
      }
    }
    const trigger = await triggers.checkPerformance(MODEL, policy);
    expect(trigger).toMatchObject({ reason: 'performance', status: 'submitted', approvalBeforeCanary: false, action: { kind: 'webhook', status: 202 } });
    expect(trigger!.details).toMatchObject({ metric: 'auc' });
    expect(Number(trigger!.details.decline)).toBeGreaterThan(0.1);
    // No single day fell off a cliff: each is within 10 % of the day before.
    const days = (await new DefaultEvaluationService(store, () => now.t).daily(MODEL, policy, { days: 8 })).days.map(d => d.auc!);
    days.slice(1).forEach((auc, i) => expect(auc).toBeGreaterThan(0.9 * days[i]));
    expect(received).toHaveLength(2); // the 502 was retried
    expect(received[1]).toMatchObject({ trigger: { model: MODEL, reason: 'performance' } });
    expect((await store.listTriggers(MODEL, 5)).length).toBe(1);
    hook.close();
  });

  it('fires on schedule once per due time and ignores the rate limit for it', async () => {
    const now = { t: Date.UTC(2026, 10, 23, 2, 30) };
    const { triggers, policy } = await setup({ retraining: { schedule: '0 3 * * *' } }, now);
    expect(await triggers.checkSchedule(MODEL, policy)).toBeUndefined();
    now.t = Date.UTC(2026, 10, 23, 3, 1);
    expect(await triggers.checkSchedule(MODEL, policy)).toMatchObject({ reason: 'schedule', status: 'recorded' });
    expect(await triggers.checkSchedule(MODEL, policy)).toBeUndefined();
    now.t = Date.UTC(2026, 10, 24, 3, 0, 30);
    expect(await triggers.checkSchedule(MODEL, policy)).toMatchObject({ reason: 'schedule' });
  });
});
