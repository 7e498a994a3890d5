import { mockServices } from '@backstage/backend-test-utils';
import { knex as makeKnex } from 'knex';
import { DATABASE_LOCKS, withDatabaseLock } from '../database/migrations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { DatabaseLineageStore } from '../lineage/DatabaseLineageStore';
import { DEMO_MODELS, seedDemoPromotions, seedDemoRegistry } from './demoRegistry';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { DatabasePromotionStore } from '../promotion/DatabasePromotionStore';
import { DefaultPromotionService } from '../promotion/PromotionService';
import { normalizeRef } from '../promotion/signOff';

jest.setTimeout(60_000);
const databases = createTestDatabases();

// The demo's Models: the classic ones, and the LLM beside the catalog's AI entities.
const catalogModels = ['models.yaml', 'ai-assets.yaml']
  .flatMap(file => parseAllDocuments(readFileSync(join(__dirname, '../../../../catalog', file), 'utf8')))
  .map(d => d.toJS())
  .filter(e => e?.kind === 'Model')
  .map(e => e.metadata.name as string);

describe.each(databases.eachSupportedId())('the demo registry on %s', databaseId => {
  it('gives every demo Model versions and lineage, some unreproducible, some in several environments', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const registry = new DatabaseRegistryStore(knex, new DatabaseModelRailsStore(knex));
    await seedDemoRegistry(registry, mockServices.logger.mock(), new Date('2026-11-23T12:00:00Z'));

    expect(DEMO_MODELS.map(m => m.name).sort()).toEqual([...catalogModels].sort());
    let unreproducible = 0;
    let multiEnvironment = 0;
    for (const name of catalogModels) {
      const versions = await registry.listVersions(`model:default/${name}`);
      expect({ name, count: versions.length }).toMatchObject({ count: expect.any(Number) });
      expect(versions.length).toBeGreaterThan(0);
      unreproducible += versions.filter(v => !v.reproducible).length;
      const champion = versions.find(v => v.aliases.includes('champion'));
      if (champion && new Set(champion.deployments.map(d => d.environment)).size > 1) multiEnvironment++;
    }
    expect(unreproducible).toBeGreaterThan(0);
    expect(multiEnvironment).toBeGreaterThan(0);

    // The seed's slow decay, and the production champion's data one lineage query away.
    const ranker = await registry.listVersions('model:default/home-feed-ranker');
    expect(ranker.map(v => v.metrics['ndcg@20'])).toEqual([0.171, 0.174, 0.177, 0.18, 0.183, 0.186]);
    const champion = ranker.find(v => v.aliases.includes('champion'))!;
    expect(champion.version).toBe('17');
    expect(champion.deployments.filter(d => d.environment === 'production')).toHaveLength(2);
    const lineage = await new DatabaseLineageStore(knex).lineage(`model:model:default/home-feed-ranker@17`, 2);
    expect(lineage!.nodes.filter(n => n.kind === 'dataset-version').map(n => n.attributes.dataset).sort()).toEqual([
      'resource:default/clickstream-events',
      'resource:default/impressions-log',
      'resource:default/orders',
    ]);

    // Every version that held production has the sign-off real use leaves: requested by its creator,
    // approved by someone else before it took production, long since expired.
    const promotions = new DatabasePromotionStore(knex, new DatabaseModelRailsStore(knex));
    await seedDemoPromotions(promotions, registry);
    await promotions.expireDue(new Date('2026-11-23T12:00:00Z'));
    const service = new DefaultPromotionService(promotions, registry, async () => modelPolicySchema.parse({}), mockServices.permissions(), mockServices.auth());
    for (const model of DEMO_MODELS.filter(m => m.champion !== undefined)) {
      const production = (await service.productionAt({ namespace: 'default', name: model.name }, new Date())) as { approvedBy?: string; promotion?: string; version?: string };
      expect({ model: model.name, approvedBy: production.approvedBy }).toEqual({ model: model.name, approvedBy: expect.stringMatching(/^user:default\//) });
      const approval = await promotions.get(production.promotion!);
      expect(approval).toMatchObject({ status: 'expired', version: production.version });
      expect(normalizeRef(approval!.decidedBy!)).not.toBe(normalizeRef(approval!.requestedBy));
      expect(approval!.decidedBy).not.toBe((await registry.getVersion(`model:default/${model.name}`, production.version!))!.creator);
    }
    expect((await promotions.list({ status: 'pending' })).map(p => `${p.modelRef}@${p.version}`).sort()).toEqual([
      'model:default/ad-ctr-predictor@33',
      'model:default/home-feed-ranker@18',
      'model:default/home-feed-ranker@19',
    ]);

    // Seeding again changes nothing.
    const before = await knex('mlops_audit_log').count({ n: '*' });
    await seedDemoRegistry(registry, mockServices.logger.mock());
    expect(await knex('mlops_audit_log').count({ n: '*' })).toEqual(before);
  });
});

describe('the demo seeded by replicas starting together', () => {
  // Three replicas on one PostgreSQL database seed at the same moment, each through its own pool;
  // wave 1 failed here ("v19 already has a pending request"). They take turns under the seeding lock.
  const postgres = databases.eachSupportedId().map(([id]) => id).filter(id => id.startsWith('POSTGRES'));
  for (const databaseId of postgres) {
    it(`seeds once, every replica starting, on ${databaseId}`, async () => {
      const first = await databases.init(databaseId);
      const replicas = [first, ...[1, 2].map(() => makeKnex({ client: first.client.config.client, connection: first.client.config.connection, pool: { min: 0, max: 4 } }))];
      try {
        await Promise.all(replicas.map(knex => migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }))));
        await Promise.all(
          replicas.map(knex =>
            withDatabaseLock(knex, DATABASE_LOCKS.demoSeed, async () => {
              const registry = new DatabaseRegistryStore(knex, new DatabaseModelRailsStore(knex));
              await seedDemoRegistry(registry, mockServices.logger.mock());
              await seedDemoPromotions(new DatabasePromotionStore(knex, new DatabaseModelRailsStore(knex)), registry);
            }),
          ),
        );
        const pending = await first('mlops_promotions').where({ status: 'pending' }).select('model_ref', 'version');
        expect(pending.map(p => `${p.model_ref}@${p.version}`).sort()).toEqual(['model:default/ad-ctr-predictor@33', 'model:default/home-feed-ranker@18', 'model:default/home-feed-ranker@19']);
        const versions = await first('mlops_model_versions').where({ model_ref: 'model:default/home-feed-ranker' }).count({ n: '*' });
        expect(Number(versions[0].n)).toBe(DEMO_MODELS.find(m => m.name === 'home-feed-ranker')!.metrics.length);
      } finally {
        await Promise.all(replicas.slice(1).map(knex => knex.destroy()));
      }
    });
  }
});
