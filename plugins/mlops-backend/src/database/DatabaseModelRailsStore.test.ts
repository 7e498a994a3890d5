import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from './DatabaseModelRailsStore';

jest.setTimeout(60_000);


const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('DatabaseModelRailsStore on %s', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    const store = await DatabaseModelRailsStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return { knex, store };
  }

  it('runs its own migrations, and no other store\'s, and reports a healthy database', async () => {
    const { knex, store } = await createStore();
    expect(await knex.schema.hasTable('mlops_audit_log')).toBe(true);
    expect(await knex.schema.hasTable('mlops_model_versions')).toBe(false);
    const health = await store.health();
    expect(health.reachable).toBe(true);
    expect(health.migrations).toEqual(['20261123000000_init.js']);
    expect(health.client).toMatch(databaseId.startsWith('POSTGRES') ? /pg/ : /sqlite/);
  });

  it('appends audit rows and lists them newest first, per entity', async () => {
    const { store } = await createStore();
    const t0 = new Date('2026-11-23T10:00:00.000Z');
    await store.appendAudit({ actorRef: 'user:default/alice', action: 'version.register', entityRef: 'model:default/a', details: { version: '1' }, occurredAt: t0 });
    await store.appendAudit({ actorRef: 'user:default/bob', action: 'promotion.approve', entityRef: 'model:default/a', details: { reason: 'ok' }, occurredAt: new Date(t0.getTime() + 1000) });
    await store.appendAudit({ actorRef: 'user:default/bob', action: 'version.register', entityRef: 'model:default/b', details: {}, occurredAt: t0 });

    const rows = await store.listAudit({ entityRef: 'model:default/a' });
    expect(rows.map(r => [r.action, r.actorRef, r.details])).toEqual([
      ['promotion.approve', 'user:default/bob', { reason: 'ok' }],
      ['version.register', 'user:default/alice', { version: '1' }],
    ]);
    expect(rows[1].occurredAt.toISOString()).toBe(t0.toISOString());
    expect(await store.listAudit({})).toHaveLength(3);
    expect(await store.listAudit({ limit: 1 })).toHaveLength(1);
  });

  it('writes nothing when the transaction around an audit row fails', async () => {
    const { store } = await createStore();
    await expect(
      store.transaction(async tx => {
        await store.appendAudit({ actorRef: 'user:default/alice', action: 'x', details: {} }, tx);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await store.listAudit({})).toEqual([]);
  });
});
