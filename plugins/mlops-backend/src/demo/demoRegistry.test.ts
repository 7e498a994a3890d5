import { mockServices } from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { DatabaseLineageStore } from '../lineage/DatabaseLineageStore';
import { DEMO_MODELS, seedDemoRegistry } from './demoRegistry';

jest.setTimeout(60_000);
const databases = createTestDatabases();

const catalogModels = parseAllDocuments(readFileSync(join(__dirname, '../../../../catalog/models.yaml'), 'utf8'))
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

    // Seeding again changes nothing.
    const before = await knex('mlops_audit_log').count({ n: '*' });
    await seedDemoRegistry(registry, mockServices.logger.mock());
    expect(await knex('mlops_audit_log').count({ n: '*' })).toEqual(before);
  });
});
