import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import fc from 'fast-check';
import { Knex } from 'knex';
import { FakeKubernetesApi } from '../__testUtils__/FakeKubernetesApi';
import { RealKubernetes, startRealKubernetes } from '../__testUtils__/realKubernetes';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { ArmMetrics, ShadowMetrics } from './analysis';
import { CanaryMetricsSource } from './CanaryMetrics';
import { DatabaseRolloutStore } from './DatabaseRolloutStore';
import { IstioTrafficRouter } from './IstioTrafficRouter';
import { DefaultRolloutEngine, ManualAction } from './RolloutEngine';
import { ENDED_STATUSES, RolloutRecord, RolloutStore } from './RolloutStore';
import { TrafficRouter } from './TrafficRouter';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const MINUTE = 60_000;
const NS = 'ml';

const POLICY: ModelPolicyInput = {
  rollout: {
    traffic: { kind: 'istio', namespace: NS, virtualService: 'feed', deployment: 'feed-v{version}' },
    shadow: { minDuration: '2m', minSamples: 200 },
    steps: [
      { weight: 5, minDuration: '2m', minSamples: 200 },
      { weight: 50, minDuration: '2m', minSamples: 200 },
      { weight: 100, minDuration: '2m', minSamples: 200 },
    ],
    analysis: { interval: '1m' },
  },
};

const good: ArmMetrics = { n: 5000, errors: 5, p99LatencyMs: 40, kpiPositives: 500, kpiN: 5000 };

/** Champion and challenger numbers the analysis reads: a healthy challenger or one whose CTR drops 30 %. */
function metricsFor(challengerHealthy: (modelRef: string) => boolean): CanaryMetricsSource {
  return {
    arms: async modelRef => ({
      champion: good,
      challenger: challengerHealthy(modelRef) ? { ...good, kpiPositives: 505 } : { ...good, kpiPositives: 350 },
    }),
    shadow: async (): Promise<ShadowMetrics> => ({ pairs: 5000, agreement: 0.97, rankCorrelation: 0.93, predictionPsi: 0.02, championN: 5000, challengerN: 5000 }),
  };
}

function virtualService(name: string) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name },
    spec: {
      hosts: ['feed'],
      http: [{ name: 'primary', route: [{ destination: { host: 'feed.ml.svc.cluster.local', subset: 'v17' }, weight: 100 }] }],
    },
  };
}

function deployment(name: string) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: {} } };
}

/** What the fake API server holds for the rollout's VirtualService: the challenger's weight and mirror. */
function heldSplit(k8s: FakeKubernetesApi, vsName: string, challenger: string) {
  const route = (k8s.get('networking.istio.io', 'virtualservices', NS, vsName) as any).spec.http[0];
  const dest = route.route.find((d: any) => d.destination.subset === `v${challenger}`);
  return { weight: dest?.weight ?? 0, mirrored: route.mirror?.subset === `v${challenger}` };
}

// The fake serves the faults; every VirtualService it is sent is dry-run against the real API
// server with Istio's CRD, so a write the real server would refuse fails here too.
let realKubernetes: RealKubernetes;
beforeAll(async () => {
  realKubernetes = await startRealKubernetes();
});
afterAll(() => realKubernetes?.stop());

async function setup(knex: Knex) {
  await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
  const audit = new DatabaseModelRailsStore(knex);
  const store = new DatabaseRolloutStore(knex, audit);
  const k8s = new FakeKubernetesApi();
  k8s.validateWith = realKubernetes.request;
  k8s.namespaces.add(NS);
  await k8s.start();
  const kubeConfig = k8s.kubeConfig();
  return { audit, store, k8s, kubeConfig };
}

describe.each(databases.eachSupportedId())('rollout engine on %s', databaseId => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup(await databases.init(databaseId));
  });
  afterAll(() => env.k8s.stop());

  function engine(healthy: boolean, owner = 'replica-a', onChampionChange = jest.fn(), onEnded: (r: RolloutRecord) => Promise<void> = async () => undefined) {
    return new DefaultRolloutEngine({
      store: env.store,
      routerFor: r => new IstioTrafficRouter(env.kubeConfig, r.traffic as any),
      metrics: metricsFor(() => healthy),
      onChampionChange,
      onEnded,
      owner,
      backoffMs: 1000,
    });
  }

  async function begin(model: string, healthy: boolean, onChampionChange = jest.fn(), onEnded: (r: RolloutRecord) => Promise<void> = async () => undefined) {
    env.k8s.put('networking.istio.io', 'virtualservices', NS, virtualService('feed') as any);
    env.k8s.put('apps', 'deployments', NS, deployment('feed-v18') as any);
    const e = engine(healthy, 'replica-a', onChampionChange, onEnded);
    const r = await e.start({ modelRef: model, version: '18', champion: '17', promotionId: null, policy: modelPolicySchema.parse(POLICY), actor: 'user:default/alice' }, T0);
    return { e, r };
  }

  it('walks shadow and every step, then hands over the champion alias', async () => {
    const onChampionChange = jest.fn();
    const { e, r } = await begin('model:default/promoted', true, onChampionChange);
    expect(r).toMatchObject({ stage: 'shadow', status: 'running', weight: 0, mirrored: true });
    expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: 0, mirrored: true });
    const seen: Array<[string, number | null, number]> = [];
    for (let t = T0; t <= T0 + 20 * MINUTE; t += MINUTE) {
      const now = await e.drive(r.id, t);
      seen.push([now!.stage, now!.step, now!.weight]);
      expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: now!.weight, mirrored: now!.mirrored });
    }
    const end = (await env.store.get(r.id))!;
    expect(end).toMatchObject({ stage: 'full', status: 'succeeded', weight: 100 });
    expect([...new Set(seen.map(s => `${s[0]}:${s[2]}`))]).toEqual(['shadow:0', 'canary:5', 'canary:50', 'canary:100', 'full:100']);
    expect(onChampionChange).toHaveBeenCalledWith(expect.objectContaining({ id: r.id }), '18', '17', 'plugin:mlops:rollout-engine');
    const decisions = await env.store.decisions(r.id, 100);
    const advance = decisions.find(d => d.action === 'advance' && d.stage === 'canary')!;
    expect(advance.checks.map(c => [c.check, c.verdict])).toEqual([
      ['error-rate', 'pass'],
      ['p99-latency', 'pass'],
      ['kpi', 'pass'],
      ['samples', 'pass'],
      ['duration', 'pass'],
    ]);
    // Steps wait their minimum duration: one hold, then the advance.
    expect(decisions.filter(d => d.action === 'hold').length).toBeGreaterThanOrEqual(4);
  });

  it('judges the 100 % step against what the champion served before it, since it serves nothing then', async () => {
    let fullSince = Number.POSITIVE_INFINITY;
    const empty: ArmMetrics = { n: 0, errors: 0, p99LatencyMs: null, kpiPositives: 0, kpiN: 0 };
    const e = new DefaultRolloutEngine({
      store: env.store,
      routerFor: r => new IstioTrafficRouter(env.kubeConfig, r.traffic as any),
      metrics: {
        ...metricsFor(() => true),
        arms: async (_model, _versions, _kpi, from) => ({ champion: from < fullSince ? good : empty, challenger: { ...good, kpiPositives: 505 } }),
      },
      owner: 'replica-a',
    });
    env.k8s.put('networking.istio.io', 'virtualservices', NS, virtualService('feed') as any);
    const r = await e.start({ modelRef: 'model:default/full-step', version: '18', champion: '17', promotionId: null, policy: modelPolicySchema.parse(POLICY), actor: 'user:default/alice' }, T0);
    let now = r;
    for (let t = T0; now.status !== 'succeeded' && t <= T0 + 30 * MINUTE; t += MINUTE) {
      now = (await e.drive(r.id, t))!;
      if (now.stage === 'canary' && now.weight === 100) fullSince = Math.min(fullSince, now.stageStartedAt);
    }
    expect(now).toMatchObject({ stage: 'full', status: 'succeeded' });
    const last = (await env.store.decisions(r.id, 100)).find(d => d.action === 'complete')!;
    expect(last.checks.find(c => c.check === 'kpi')).toMatchObject({ verdict: 'pass', championN: 5000 });
  });

  it('rolls back on a significant CTR drop: traffic to the champion first, then the challenger scaled down', async () => {
    const { e, r } = await begin('model:default/rolled-back', false);
    let now = r;
    for (let t = T0; now.status !== 'rolled-back' && t <= T0 + 20 * MINUTE; t += MINUTE) now = (await e.drive(r.id, t))!;
    expect(now).toMatchObject({ stage: 'rolled-back', status: 'rolled-back', weight: 0, scaledDown: true });
    expect(now.headline).toMatch(/^rolled back at 5 %: ctr 7\.00\s% vs 10\.0\s% \(−30\.0\s%/);
    expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: 0, mirrored: false });
    expect((env.k8s.get('apps', 'deployments', NS, 'feed-v18') as any).spec.replicas).toBe(0);
    const [scaled, rollback] = (await env.store.decisions(r.id, 100)).filter(d => d.action === 'scale-down' || d.action === 'rollback');
    expect(scaled.action).toBe('scale-down');
    const kpi = rollback.checks.find(c => c.check === 'kpi')!;
    expect(kpi).toMatchObject({ verdict: 'fail', threshold: -0.02, championN: 5000, challengerN: 5000 });
    expect(kpi.pValue).toBeLessThan(1e-6);
  });

  it('tells its listener once per ended status: the success, then the rollback of the finished rollout', async () => {
    const onEnded = jest.fn(async (_r: RolloutRecord) => undefined);
    const { e, r } = await begin('model:default/ended-twice', true, jest.fn(), onEnded);
    let now = r;
    for (let t = T0; now.status !== 'succeeded' && t <= T0 + 30 * MINUTE; t += MINUTE) now = (await e.drive(r.id, t))!;
    expect(onEnded.mock.calls.map(([x]) => x.status)).toEqual(['succeeded']);
    await e.act(r.id, 'rollback', 'user:default/frank', 'margin dropped', T0 + 31 * MINUTE);
    for (let t = T0 + 32 * MINUTE; t <= T0 + 40 * MINUTE; t += MINUTE) await e.drive(r.id, t);
    expect((await env.store.get(r.id))!).toMatchObject({ status: 'rolled-back', scaledDown: true });
    // The scale-down after the rollback ends nothing new.
    expect(onEnded.mock.calls.map(([x]) => x.status)).toEqual(['succeeded', 'rolled-back']);
  });

  it('rolls back by itself and says so once', async () => {
    const onEnded = jest.fn(async (_r: RolloutRecord) => undefined);
    const { e, r } = await begin('model:default/rolled-back-told', false, jest.fn(), onEnded);
    let now = r;
    for (let t = T0; !(now.status === 'rolled-back' && now.scaledDown) && t <= T0 + 20 * MINUTE; t += MINUTE) now = (await e.drive(r.id, t))!;
    expect(onEnded.mock.calls.map(([x]) => x.status)).toEqual(['rolled-back']);
  });

  it('waits pending through a 5xx outage and never reports a step Kubernetes does not hold', async () => {
    const { e, r } = await begin('model:default/outage', true);
    env.k8s.down = true;
    let now = r;
    for (let t = T0 + MINUTE; t <= T0 + 6 * MINUTE; t += MINUTE) now = (await e.drive(r.id, t)) ?? now;
    expect(now.status).toBe('pending');
    expect(now.pending?.lastError).toMatch(/VirtualService ml\/feed/);
    expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: now.weight, mirrored: now.mirrored });
    env.k8s.down = false;
    for (let t = T0 + 7 * MINUTE; t <= T0 + 12 * MINUTE; t += MINUTE) now = (await e.drive(r.id, t)) ?? now;
    expect(now.status).not.toBe('pending');
    expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: now.weight, mirrored: now.mirrored });
    expect((await env.store.decisions(r.id, 100)).some(d => d.action === 'retry')).toBe(true);
  });

  it('re-reads and retries through a 409 storm from another writer', async () => {
    const { e, r } = await begin('model:default/storm', true);
    env.k8s.interference = 5;
    const aborted = await e.act(r.id, 'abort', 'user:default/bob', 'storm test', T0 + MINUTE);
    expect(aborted).toMatchObject({ status: 'aborted', weight: 0, mirrored: false, scaledDown: true });
    expect(env.k8s.interference).toBe(0);
    expect(heldSplit(env.k8s, 'feed', '18')).toEqual({ weight: 0, mirrored: false });
  });

  it('lets one replica drive a rollout at a time and refuses actions on ended rollouts', async () => {
    const { r } = await begin('model:default/leases', true);
    expect(await env.store.acquireLease(r.id, 'replica-b', T0 + MINUTE, 30_000)).toBe(true);
    expect(await engine(true, 'replica-a').drive(r.id, T0 + MINUTE + 1000)).toBeUndefined();
    expect(await engine(true, 'replica-a').drive(r.id, T0 + MINUTE + 31_000)).toBeDefined();
    await engine(true).act(r.id, 'abort', 'user:default/bob', '', T0 + 2 * MINUTE);
    await expect(engine(true).act(r.id, 'pause', 'user:default/bob', '', T0 + 3 * MINUTE)).rejects.toThrow(/only a running rollout/);
    await expect(engine(true).act(r.id, 'abort', 'user:default/bob', '', T0 + 3 * MINUTE)).rejects.toThrow(/has ended/);
  });

  it('refuses a second rollout of the same model while one is in progress', async () => {
    await begin('model:default/twice', true);
    await expect(begin('model:default/twice', true)).rejects.toThrow(/already has a rollout in progress/);
  });
});

/** Kills an engine at its n-th call to the store or the router: that call and every later one throw. */
class KillSwitch {
  private calls = 0;
  dead = false;
  constructor(private readonly at: number, private readonly afterCall: boolean) {}
  async around<T>(fn: () => Promise<T>): Promise<T> {
    if (this.dead) throw new Error('killed');
    this.calls++;
    if (this.calls === this.at && !this.afterCall) {
      this.dead = true;
      throw new Error('killed');
    }
    const result = await fn();
    if (this.calls === this.at) {
      // The call took effect (a commit, a write to Kubernetes), but its caller never learns.
      this.dead = true;
      throw new Error('killed');
    }
    return result;
  }
}

/** The object with its asynchronous methods (every one but `describe`) behind the kill switch. */
function killable<T extends object>(target: T, kill: KillSwitch): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value = (obj as any)[prop];
      if (typeof value !== 'function') return value;
      if (prop === 'describe') return value.bind(obj);
      return (...args: unknown[]) => kill.around(() => value.apply(obj, args));
    },
  });
}

type Op =
  | { kind: 'tick'; minutes: number }
  | { kind: 'faults'; faults: Array<number | { after: number } | 'reset'> }
  | { kind: 'outage'; down: boolean }
  | { kind: 'storm'; conflicts: number }
  | { kind: 'kill'; at: number; afterCall: boolean }
  | { kind: 'act'; action: ManualAction };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 0, max: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('faults' as const),
      faults: fc.array(fc.oneof(fc.constantFrom(500, 502, 503, 429, 'reset' as const), fc.record({ after: fc.constantFrom(500, 503) })), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), down: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('storm' as const), conflicts: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('kill' as const), at: fc.integer({ min: 1, max: 8 }), afterCall: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('act' as const), action: fc.constantFrom<ManualAction>('pause', 'resume', 'promote', 'abort', 'rollback') }) },
);

describe('rollout engine under faults (model-based, SQLite)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup(await databases.init('SQLITE_3'));
  });
  afterAll(() => env.k8s.stop());

  /** What a rollout that is not mid-move must agree with: the API server, and its own stage. */
  function expectConsistent(r: RolloutRecord, vsName: string) {
    if (r.pending) return;
    const held = heldSplit(env.k8s, vsName, r.version);
    expect({ id: r.id, status: r.status, weight: r.weight, mirrored: r.mirrored }).toEqual({ id: r.id, status: r.status, ...held });
    const steps = r.policy.steps;
    if (r.stage === 'shadow') expect(held).toEqual({ weight: 0, mirrored: true });
    if (r.stage === 'canary') expect(held.weight).toBe(steps[r.step!].weight);
    if (r.stage === 'full') expect(held.weight).toBe(100);
    if (r.stage === 'rolled-back' || r.stage === 'aborted') expect(held).toEqual({ weight: 0, mirrored: false });
    if (r.scaledDown) expect((env.k8s.get('apps', 'deployments', NS, `${vsName}-v${r.version}`) as any).spec.replicas).toBe(0);
  }

  it('always converges, and never reports a split the API server does not hold (200 runs)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(opArb, { minLength: 5, maxLength: 40 }), async (healthy, ops) => {
        run++;
        const model = `model:default/m${run}`;
        const vsName = `vs${run}`;
        env.k8s.faults.length = 0;
        env.k8s.down = false;
        env.k8s.interference = 0;
        env.k8s.put('networking.istio.io', 'virtualservices', NS, virtualService(vsName) as any);
        env.k8s.put('apps', 'deployments', NS, deployment(`${vsName}-v18`) as any);
        const policy = modelPolicySchema.parse({ ...POLICY, rollout: { ...POLICY.rollout, traffic: { kind: 'istio', namespace: NS, virtualService: vsName, deployment: `${vsName}-v{version}` } } });
        let replica = 0;
        const makeEngine = (kill?: KillSwitch) =>
          new DefaultRolloutEngine({
            store: kill ? killable<RolloutStore>(env.store, kill) : env.store,
            routerFor: r => {
              const router = new IstioTrafficRouter(env.kubeConfig, r.traffic as any);
              return kill ? killable<TrafficRouter>(router, kill) : router;
            },
            metrics: metricsFor(() => healthy),
            owner: `replica-${++replica}`,
            leaseMs: 30_000,
            backoffMs: 1000,
            maxBackoffMs: 60_000,
          });
        let t = T0;
        let engine = makeEngine();
        const started = await engine.start({ modelRef: model, version: '18', champion: '17', promotionId: null, policy, actor: 'user:default/alice' }, t).catch(() => undefined);
        const id = started?.id ?? (await env.store.list({ modelRef: model }))[0]?.id;
        if (!id) return; // the start itself failed before anything was written
        for (const op of ops) {
          if (op.kind === 'tick') {
            t += op.minutes * MINUTE + 1000;
            await engine.drive(id, t).catch(() => undefined);
          } else if (op.kind === 'faults') env.k8s.faults.push(...op.faults);
          else if (op.kind === 'outage') env.k8s.down = op.down;
          else if (op.kind === 'storm') env.k8s.interference = op.conflicts;
          else if (op.kind === 'act') await engine.act(id, op.action, 'user:default/bob', 'model test', t).catch(() => undefined);
          else {
            const kill = new KillSwitch(op.at, op.afterCall);
            await makeEngine(kill).drive(id, t).catch(() => undefined);
            // The replica is gone; another takes over once its lease has run out.
            engine = makeEngine();
            t += 31_000;
          }
          expectConsistent((await env.store.get(id))!, vsName);
        }
        // Faults end; the rollout must settle: nothing pending, and what it says Kubernetes holds.
        env.k8s.faults.length = 0;
        env.k8s.down = false;
        env.k8s.interference = 0;
        for (let i = 0; i < 60; i++) {
          t += 2 * MINUTE;
          await engine.drive(id, t);
          const r = (await env.store.get(id))!;
          if (!r.pending && (r.status === 'succeeded' || (ENDED_STATUSES.includes(r.status) && r.scaledDown))) break;
          if (r.status === 'paused') await engine.act(id, 'resume', 'user:default/bob', '', t);
        }
        const end = (await env.store.get(id))!;
        expect(end.pending).toBeNull();
        expect(['succeeded', 'rolled-back', 'aborted']).toContain(end.status);
        // Ended by a rollback: scaled down. A challenger with a dropping CTR succeeds only if a person promoted it.
        expect(end.status === 'succeeded' || end.scaledDown).toBe(true);
        expect(healthy || end.status !== 'succeeded' || /promoted now by/.test(end.headline ?? '')).toBe(true);
        expectConsistent(end, vsName);
      }),
      { numRuns: 200 },
    );
  });
});
