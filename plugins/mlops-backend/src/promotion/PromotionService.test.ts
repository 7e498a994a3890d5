import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DefaultGateService } from '../gates/GateService';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { DefaultPromotionService } from './PromotionService';
import { normalizeRef } from './signOff';
import { createRolloutEngine, DatabaseRolloutStore, rolloutStarter, SimulatedTraffic, TrafficRouters } from '../rollout';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';

jest.setTimeout(90_000);
const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const ref = { namespace: 'default', name: 'home-feed-ranker' };
const user = (name: string) => mockCredentials.user(`user:default/${name}`);

describe.each(databases.eachSupportedId())('promotion sign-off on %s', databaseId => {
  async function setup(options: { deny?: string[]; failing?: boolean; permissionsDown?: boolean; traffic?: boolean } = {}) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    const registry = new DatabaseRegistryStore(knex, audit);
    const policy = modelPolicySchema.parse({
      gates: [{ kind: 'metric-floor', metric: 'ndcg@20', min: options.failing ? 0.5 : 0.1 }],
      approvals: { expiresAfter: '2h' },
      ...(options.traffic ? { rollout: { traffic: { kind: 'simulated' } } } : {}),
    });
    const policyOf = async () => policy;
    await registry.registerVersion(
      {
        modelRef: MODEL,
        version: '12',
        artifact: { uri: 's3://m/12', digest: `sha256:${'a'.repeat(64)}` },
        hyperparameters: {},
        metrics: { 'ndcg@20': 0.18 },
        run: { source: 'ci', id: 'run-12' },
        datasets: [{ ref: 'resource:default/orders', version: '2026-11-01', digest: `sha256:${'1'.repeat(64)}` }],
        featureSets: [],
        creator: 'user:default/carol',
        source: 'ci',
      },
      'service:ci',
    );
    await new DefaultGateService(registry, policyOf).evaluate(MODEL, '12', 'registration', 'service:ci');
    const permissions = mockServices.permissions.mock({
      authorize: async requests => {
        if (options.permissionsDown) throw new Error('connect ECONNREFUSED');
        return requests.map(r => ({
          result: options.deny?.includes(r.permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        })) as any;
      },
    });
    const store = new DatabasePromotionStore(knex, audit);
    const moveExternalAlias = jest.fn(async () => {});
    const rolloutStore = new DatabaseRolloutStore(knex, audit);
    const simulated = new SimulatedTraffic();
    const engine = createRolloutEngine({ store: rolloutStore, telemetry: new DatabaseTelemetryStore(knex), registry, routers: new TrafficRouters({ simulated }), moveExternalAlias });
    const service = new DefaultPromotionService(store, registry, policyOf, permissions, mockServices.auth(), moveExternalAlias, rolloutStarter(engine, rolloutStore));
    return { knex, audit, registry, store, service, moveExternalAlias, rolloutStore, simulated };
  }

  it('starts a rollout on approval to production when the model has a traffic target, and refuses a second one meanwhile', async () => {
    const { service, registry, rolloutStore, simulated, moveExternalAlias } = await setup({ traffic: true });
    await registry.setAlias(MODEL, 'champion', '12', 'user:default/carol');
    await registry.registerVersion(
      {
        modelRef: MODEL,
        version: '13',
        artifact: { uri: 's3://m/13', digest: `sha256:${'b'.repeat(64)}` },
        hyperparameters: {},
        metrics: { 'ndcg@20': 0.19 },
        run: { source: 'ci', id: 'run-13' },
        datasets: [],
        featureSets: [],
        creator: 'user:default/carol',
        source: 'ci',
      },
      'service:ci',
    );
    await new DefaultGateService(registry, async () => modelPolicySchema.parse({})).evaluate(MODEL, '13', 'registration', 'service:ci');
    const first = await service.request(ref, '13', { environment: 'production' }, user('alice'));
    await service.decide(first.id, 'approved', { reason: 'go' }, user('bob'));
    const [rollout] = await rolloutStore.list({ modelRef: MODEL });
    expect(rollout).toMatchObject({ version: '13', champion: '12', promotionId: first.id, stage: 'shadow', status: 'running', mirrored: true });
    expect(simulated.splitOf(MODEL)).toMatchObject({ challenger: '13', weight: 0, mirrored: true });
    // The alias moves when the rollout succeeds, not at approval.
    expect((await registry.getVersion(MODEL, '12'))!.aliases).toEqual(['champion']);
    expect(moveExternalAlias).not.toHaveBeenCalled();

    const second = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await expect(service.decide(second.id, 'approved', { reason: 'again' }, user('bob'))).rejects.toThrow(/already has a rollout in progress/);
    expect((await service.get(second.id)).status).toBe('pending');
  });

  it('lets only the platform teams (the override permission) approve a version whose creator the catalog does not know; anyone may reject it', async () => {
    const { service, registry } = await setup({ deny: ['mlops.promotion.override'] });
    await registry.registerVersion(
      {
        modelRef: MODEL,
        version: '14',
        artifact: { uri: 's3://m/14', digest: `sha256:${'c'.repeat(64)}` },
        hyperparameters: {},
        metrics: { 'ndcg@20': 0.19 },
        datasets: [],
        featureSets: [],
        creator: 'user:default/mallory',
        creatorVerified: false,
        source: 'ci',
      },
      'service:ci',
    );
    await new DefaultGateService(registry, async () => modelPolicySchema.parse({})).evaluate(MODEL, '14', 'registration', 'service:ci');
    const request = await service.request(ref, '14', { environment: 'production' }, user('alice'));
    expect(await service.canDecide(request, user('bob'))).toEqual({
      allowed: false,
      reason: "v14's creator user:default/mallory is not a User in the catalog: only the platform teams (mlops.promotion.override) may approve it",
    });
    await expect(service.decide(request.id, 'approved', { reason: 'looks fine' }, user('bob'))).rejects.toThrow(/not a User in the catalog/);
    expect((await service.get(request.id)).status).toBe('pending');
    await expect(service.decide(request.id, 'rejected', { reason: 'who made this?' }, user('bob'))).resolves.toMatchObject({ status: 'rejected' });

    // With the override permission (the platform teams), the same approval goes through.
    const platform = await setup();
    await platform.registry.registerVersion(
      { modelRef: MODEL, version: '14', artifact: { uri: 's3://m/14', digest: `sha256:${'c'.repeat(64)}` }, hyperparameters: {}, metrics: {}, datasets: [], featureSets: [], creator: 'user:default/mallory', creatorVerified: false, source: 'ci' },
      'service:ci',
    );
    await new DefaultGateService(platform.registry, async () => modelPolicySchema.parse({})).evaluate(MODEL, '14', 'registration', 'service:ci');
    const again = await platform.service.request(ref, '14', { environment: 'staging' }, user('alice'));
    await expect(platform.service.decide(again.id, 'approved', { reason: 'checked with the team' }, user('carol'))).resolves.toMatchObject({ status: 'approved' });
  });

  it('judges evidence against the current champion and policy: stale results run again, and approving on them is refused until reviewed', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    const registry = new DatabaseRegistryStore(knex, audit);
    let policy = modelPolicySchema.parse({ gates: [{ kind: 'champion-relative', metric: 'ndcg@20', maxRelativeDrop: 0.02 }] });
    const gates = new DefaultGateService(registry, async () => policy);
    const register = async (version: string, ndcg: number, at: string) => {
      await registry.registerVersion(
        { modelRef: MODEL, version, artifact: { uri: `s3://m/${version}`, digest: `sha256:${version.padStart(64, '0')}` }, hyperparameters: {}, metrics: { 'ndcg@20': ndcg }, datasets: [], featureSets: [], creator: 'user:default/carol', source: 'ci', createdAt: new Date(at) },
        'service:ci',
      );
      return gates.evaluate(MODEL, version, 'registration', 'service:ci');
    };
    await register('17', 0.2, '2026-11-01T00:00:00Z');
    await registry.setAlias(MODEL, 'champion', '17', 'user:default/carol');
    // v18: 1.5 % below v17, inside the 2 % allowance. v19: 3 % below v17, but 1.5 % below v18.
    expect(await register('18', 0.197, '2026-11-10T00:00:00Z')).toMatchObject({ passed: true, champion: '17' });
    expect(await register('19', 0.194, '2026-11-20T00:00:00Z')).toMatchObject({ passed: false, champion: '17' });
    const service = new DefaultPromotionService(new DatabasePromotionStore(knex, audit), registry, async () => policy, mockServices.permissions(), mockServices.auth(), undefined, undefined, gates);

    // v18 becomes champion (no traffic target: at approval). v19's results were judged against v17: they run again at once.
    const v18 = await service.request(ref, '18', { environment: 'production' }, user('alice'));
    await service.decide(v18.id, 'approved', { reason: 'inside the allowance' }, user('bob'));
    const v19 = (await registry.getVersion(MODEL, '19'))!;
    expect(v19.gates).toMatchObject({ passed: true, champion: '18', trigger: 'refresh' });

    // The policy tightens: v19's results no longer stand. An approval on them is refused, and they run again.
    policy = modelPolicySchema.parse({ gates: [{ kind: 'champion-relative', metric: 'ndcg@20', maxRelativeDrop: 0.01 }] });
    const request = await service.request(ref, '19', { environment: 'production' }, user('alice'));
    await expect(service.decide(request.id, 'approved', { reason: 'passed' }, user('bob'))).rejects.toThrow(
      "The gate results of v19 were stale (the policy's gates changed since they ran); they ran again just now: review them and decide again",
    );
    expect((await service.get(request.id)).status).toBe('pending');
    expect((await registry.getVersion(MODEL, '19'))!.gates).toMatchObject({ passed: false, champion: '18', trigger: 'refresh' });
    await expect(service.decide(request.id, 'approved', { reason: 'passed' }, user('bob'))).rejects.toThrow(/Gates block this promotion/);

    // The scheduled refresh finds nothing left to do; older versions keep the verdict of their own time.
    expect(await gates.refreshStale([MODEL], 'plugin:mlops:gates')).toBe(0);
    expect((await registry.getVersion(MODEL, '18'))!.gates).toMatchObject({ champion: '17', trigger: 'registration' });
  });

  const decisionRows = (audit: DatabaseModelRailsStore) =>
    audit.listAudit({ entityRef: MODEL }).then(rows => rows.filter(r => /promotion\.(approve|reject|override)/.test(r.action)));

  it('lets a different person approve, snapshots the evidence and binds the digest, with audit rows', async () => {
    const { service, audit, moveExternalAlias, registry } = await setup();
    const request = await service.request(ref, '12', { environment: 'production', reason: 'weekly refresh' }, user('alice'));
    expect(request).toMatchObject({ status: 'pending', requestedBy: 'user:default/alice', artifactDigest: `sha256:${'a'.repeat(64)}` });
    const now = new Date('2026-11-23T10:00:00Z');
    const approved = await service.decide(request.id, 'approved', { reason: 'metrics hold' }, user('bob'), now);
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: 'user:default/bob',
      decisionReason: 'metrics hold',
      expiresAt: '2026-11-23T12:00:00.000Z',
      evidence: {
        artifactDigest: `sha256:${'a'.repeat(64)}`,
        gates: { passed: true },
        vsChampion: { 'ndcg@20': { value: 0.18 } },
        lineage: { run: { id: 'run-12' }, datasets: [{ ref: 'resource:default/orders' }] },
      },
    });
    // Approval to production hands over the champion alias, here and in MLflow.
    expect((await registry.getVersion(MODEL, '12'))!.aliases).toEqual(['champion']);
    expect(moveExternalAlias).toHaveBeenCalledWith(MODEL, 'champion', '12');
    const actions = (await audit.listAudit({ entityRef: MODEL })).map(r => r.action);
    expect(actions.filter(a => a.startsWith('promotion.')).sort()).toEqual(['promotion.approve', 'promotion.request']);
  });

  it.each([
    ['the requester', 'alice'],
    ['the requester, written in other case', 'ALICE'],
    ['the version’s creator', 'carol'],
    ['the version’s creator, written in other case', 'Carol'],
  ])('never lets %s decide, even when the permission policy allows everything', async (_who, name) => {
    const { service, audit } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    for (const outcome of ['approved', 'rejected'] as const) {
      await expect(service.decide(request.id, outcome, { reason: 'me' }, user(name))).rejects.toMatchObject({ name: 'NotAllowedError' });
    }
    expect((await service.get(request.id)).status).toBe('pending');
    expect(await decisionRows(audit)).toEqual([]);
  });

  it('refuses service and external principals', async () => {
    const { service } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await expect(service.decide(request.id, 'approved', { reason: 'ci' }, mockCredentials.service('external:ci'))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('answers 503 when the permission service cannot answer, and changes nothing', async () => {
    const { service, store, registry } = await setup();
    const request = await store.request({ modelRef: MODEL, version: '12', environment: 'production', requestedBy: 'user:default/alice' });
    const down = new DefaultPromotionService(
      store,
      registry,
      async () => modelPolicySchema.parse({}),
      mockServices.permissions.mock({ authorize: async () => { throw new Error('ECONNREFUSED'); } }),
      mockServices.auth(),
    );
    await expect(down.decide(request.id, 'approved', { reason: 'ok' }, user('bob'))).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect((await service.get(request.id)).status).toBe('pending');
  });

  it('blocks a version whose gates fail unless an allowed person overrides with a reason', async () => {
    const { service } = await setup({ failing: true, deny: ['mlops.promotion.override'] });
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await expect(service.decide(request.id, 'approved', { reason: 'looks fine' }, user('bob'))).rejects.toThrow(/Gates block this promotion \(metric-floor\)/);
    await expect(service.decide(request.id, 'approved', { reason: 'incident fix', override: true }, user('bob'))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });

    const allowed = await setup({ failing: true });
    const again = await allowed.service.request(ref, '12', { environment: 'production' }, user('alice'));
    const approved = await allowed.service.decide(again.id, 'approved', { reason: 'hotfix for INC-42', override: true }, user('bob'));
    expect(approved).toMatchObject({ status: 'approved', override: { reason: 'hotfix for INC-42' }, evidence: { gates: { passed: false } } });
    expect((await allowed.audit.listAudit({ entityRef: MODEL })).find(r => r.action === 'promotion.override')).toMatchObject({
      details: { override: 'hotfix for INC-42' },
    });
  });

  it('refuses to approve once the artifact digest changed since the request', async () => {
    const { service, knex } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await knex('mlops_model_versions').where({ model_ref: MODEL, version: '12' }).update({ artifact_digest: `sha256:${'b'.repeat(64)}` });
    await expect(service.decide(request.id, 'approved', { reason: 'ok' }, user('bob'))).rejects.toThrow(/artifact .* changed/);
    expect((await service.get(request.id)).status).toBe('pending');
  });

  it('needs a reason, refuses a second pending request, and a second decision', async () => {
    const { service } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await expect(service.request(ref, '12', { environment: 'production' }, user('dan'))).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(service.decide(request.id, 'rejected', { reason: '  ' }, user('bob'))).rejects.toMatchObject({ name: 'InputError' });
    await service.decide(request.id, 'rejected', { reason: 'wait for the holiday freeze' }, user('bob'));
    await expect(service.decide(request.id, 'approved', { reason: 'ok' }, user('dan'))).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('gives exactly one of 50 concurrent approvals and rejections', async () => {
    const { service, audit } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        service.decide(request.id, i % 2 ? 'approved' : 'rejected', { reason: `decider ${i}` }, user(`approver-${i}`)),
      ),
    );
    const winners = results.filter(r => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason.name).toBe('ConflictError');
    }
    const final = await service.get(request.id);
    expect(final.decidedBy).toBe((winners[0] as PromiseFulfilledResult<any>).value.decidedBy);
    expect(await decisionRows(audit)).toHaveLength(1);
  });

  it('expires approvals past their time, with an audit row', async () => {
    const { service, store, audit } = await setup();
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await service.decide(request.id, 'approved', { reason: 'ok' }, user('bob'), new Date('2026-11-23T10:00:00Z'));
    expect(await store.expireDue(new Date('2026-11-23T11:59:00Z'))).toBe(0);
    expect(await store.expireDue(new Date('2026-11-23T12:01:00Z'))).toBe(1);
    expect((await service.get(request.id)).status).toBe('expired');
    const expiry = (await audit.listAudit({ entityRef: MODEL })).filter(r => r.action === 'promotion.expire');
    expect(expiry).toHaveLength(1);
    expect(expiry[0].details).toMatchObject({ promotion: request.id, environment: 'production' });
  });

  it('invalidates an approval when the version’s digest changes afterwards', async () => {
    const { service, store, knex, audit } = await setup();
    const request = await service.request(ref, '12', { environment: 'staging' }, user('alice'));
    await service.decide(request.id, 'approved', { reason: 'ok' }, user('bob'));
    await knex('mlops_model_versions').where({ model_ref: MODEL, version: '12' }).update({ artifact_digest: `sha256:${'c'.repeat(64)}` });
    expect(await store.expireDue()).toBe(1);
    expect((await service.get(request.id)).status).toBe('expired');
    expect((await audit.listAudit({ entityRef: MODEL })).find(r => r.action === 'promotion.invalidate')).toMatchObject({
      details: { currentDigest: `sha256:${'c'.repeat(64)}` },
    });
  });

  it('leaves neither the decision nor its audit row when the audit write fails', async () => {
    const { knex, registry } = await setup();
    const failingAudit = {
      appendAudit: async (event: any, tx?: any) => {
        if (event.action === 'promotion.approve') throw new Error('audit table unavailable');
        return new DatabaseModelRailsStore(knex).appendAudit(event, tx);
      },
    };
    const store = new DatabasePromotionStore(knex, failingAudit);
    const service = new DefaultPromotionService(store, registry, async () => modelPolicySchema.parse({}), mockServices.permissions(), mockServices.auth());
    const request = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await expect(service.decide(request.id, 'approved', { reason: 'ok' }, user('bob'))).rejects.toThrow('audit table unavailable');
    expect((await service.get(request.id)).status).toBe('pending');
  });

  it('answers which version was in production at a time, across promotions and a rollback', async () => {
    const { service, registry } = await setup();
    await registry.registerVersion(
      {
        modelRef: MODEL,
        version: '13',
        artifact: { uri: 's3://m/13', digest: `sha256:${'d'.repeat(64)}` },
        hyperparameters: {},
        metrics: { 'ndcg@20': 0.181 },
        datasets: [],
        featureSets: [],
        creator: 'user:default/carol',
        source: 'ci',
      },
      'service:ci',
    );
    await new DefaultGateService(registry, async () => modelPolicySchema.parse({})).evaluate(MODEL, '13', 'registration', 'x');
    const tick = () => new Promise(r => setTimeout(r, 15));
    const r12 = await service.request(ref, '12', { environment: 'production' }, user('alice'));
    await service.decide(r12.id, 'approved', { reason: 'first' }, user('bob'));
    await tick();
    const t1 = new Date();
    await tick();
    const r13 = await service.request(ref, '13', { environment: 'production' }, user('alice'));
    await service.decide(r13.id, 'approved', { reason: 'second' }, user('dan'));
    await tick();
    const t2 = new Date();
    await tick();
    // A rollback hands the alias back to the standby.
    await registry.setAlias(MODEL, 'champion', '12', 'plugin:mlops:rollout');
    await tick();
    const t3 = new Date();

    expect(await service.productionAt(ref, t1)).toMatchObject({ version: '12', approvedBy: 'user:default/bob' });
    expect(await service.productionAt(ref, t2)).toMatchObject({ version: '13', approvedBy: 'user:default/dan', setBy: 'user:default/dan' });
    expect(await service.productionAt(ref, t3)).toMatchObject({ version: '12', approvedBy: 'user:default/bob', setBy: 'plugin:mlops:rollout' });
    expect(await service.productionAt(ref, new Date('2000-01-01T00:00:00Z'))).not.toHaveProperty('version');
  });
});

describe('normalizeRef', () => {
  it('compares refs after case and default namespace', () => {
    expect(normalizeRef('alice')).toBe(normalizeRef('User:Default/Alice'));
    expect(normalizeRef('user:team-a/alice')).not.toBe(normalizeRef('alice'));
  });
});