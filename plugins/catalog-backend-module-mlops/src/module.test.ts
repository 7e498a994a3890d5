import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { join, resolve } from 'node:path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogModuleMlops } from './module';
import { invalidFixtures } from './__testUtils__/invalidFixtures';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const catalogDir = resolve(__dirname, '../../../catalog');
const files = ['org.yaml', 'systems.yaml', 'resources.yaml', 'components.yaml', 'models.yaml'];

jest.setTimeout(60_000);

/** The real catalog backend with our module, loading the demo catalog from disk. */
async function startCatalog() {
  return startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlops,
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['Component', 'System', 'Domain', 'Resource', 'Location', 'Group', 'User', 'Model'] }],
            locations: files.map(f => ({ type: 'file', target: join(catalogDir, f) })),
            processingInterval: { seconds: 1 },
          },
        },
      }),
    ],
  });
}

const auth = mockCredentials.user.header('user:default/alice');

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('catalog with the mlops module', () => {
  let server: Awaited<ReturnType<typeof startCatalog>>['server'];
  let backend: Awaited<ReturnType<typeof startCatalog>>;

  beforeAll(async () => {
    backend = await startCatalog();
    server = backend.server;
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('ingests the demo catalog: at least twelve Models with relations both ways', async () => {
    const models = await waitFor(async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-query')
        .query({ filter: 'kind=model', limit: 100 })
        .set('Authorization', auth);
      const items: Entity[] = res.body.items ?? [];
      const withRelations = items.filter(e => (e.relations ?? []).length > 0);
      return withRelations.length >= 13 ? items : undefined;
    });
    expect(models.length).toBeGreaterThanOrEqual(12);

    const ranker = models.find(m => m.metadata.name === 'home-feed-ranker')!;
    const rel = (type: string) => ranker.relations!.filter(r => r.type === type).map(r => r.targetRef).sort();
    expect(rel('ownedBy')).toEqual(['group:default/ranking-team']);
    expect(rel('partOf')).toEqual(['system:default/recommendations']);
    expect(rel('dependsOn')).toEqual(
      [
        'resource:default/clickstream-events',
        'resource:default/impressions-log',
        'resource:default/item-features',
        'resource:default/orders',
        'resource:default/session-features',
        'resource:default/user-features',
        'resource:default/user-item-cross-features',
      ],
    );
    expect(rel('dependencyOf')).toEqual(['component:default/home-feed-service']);

    // The other side of each relation is on the other entity.
    const dataset = await waitFor(async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/resource/default/clickstream-events')
        .set('Authorization', auth);
      const e: Entity | undefined = res.body;
      return e?.relations?.some(r => r.type === 'dependencyOf' && r.targetRef === 'model:default/home-feed-ranker') ? e : undefined;
    });
    expect(dataset.metadata.name).toBe('clickstream-events');
    const team = await request(server).get('/api/catalog/entities/by-name/group/default/ranking-team').set('Authorization', auth);
    expect(team.body.relations.filter((r: any) => r.type === 'ownerOf').map((r: any) => r.targetRef)).toContain(
      'model:default/home-feed-ranker',
    );

    // The kind, type and lifecycle filters of the catalog page are facets.
    const facets = await request(server)
      .get('/api/catalog/entity-facets')
      .query({ facet: ['kind', 'spec.lifecycle'], filter: 'kind=model' })
      .set('Authorization', auth);
    expect(facets.body.facets.kind).toEqual([{ value: 'Model', count: models.length }]);
    expect(facets.body.facets['spec.lifecycle'].map((f: any) => f.value).sort()).toEqual(
      ['deprecated', 'development', 'experimental', 'production', 'retired', 'staging'],
    );
  });

  it('accepts a valid Model file through validate-entity', async () => {
    const entity = parse(readFileSync(join(__dirname, '__fixtures__/valid-model.yaml'), 'utf8'));
    const res = await request(server)
      .post('/api/catalog/validate-entity')
      .set('Authorization', auth)
      .send({ entity, location: 'url:https://example.com/catalog-info.yaml' });
    expect(res.status).toBe(200);
  });

  it.each(invalidFixtures().map(c => [c.file, c.field, c.entity] as const))(
    'rejects %s with an error naming %s',
    async (_file, field, entity) => {
      const res = await request(server)
        .post('/api/catalog/validate-entity')
        .set('Authorization', auth)
        .send({ entity, location: 'url:https://example.com/catalog-info.yaml' });
      expect(res.status).toBe(400);
      const messages: string[] = res.body.errors.map((e: any) => e.message);
      expect(messages.join('\n')).toContain(`${field}:`);
    },
  );
});
