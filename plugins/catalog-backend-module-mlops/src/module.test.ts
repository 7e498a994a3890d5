import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { join, resolve } from 'node:path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleAiResourceEntityModel from '@backstage/plugin-catalog-backend-module-ai-model';
import catalogModuleAiModelServer from '@red-hat-developer-hub/backstage-plugin-catalog-backend-module-ai-model-server';
import { catalogModuleMlops } from './module';
import { invalidFixtures } from './__testUtils__/invalidFixtures';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

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

describe('catalog with the mlops module beside the AI kinds other tooling registers', () => {
  // catalog/ai-assets.yaml: an LLM Model, the model server and deployed model as Red Hat Developer
  // Hub's model catalog bridge writes them, AiModelServerAPI and AiResource entities; with the
  // backend modules that add those kinds, from the npm registry.
  const aiFile = join(catalogDir, 'ai-assets.yaml');
  const aiEntities: Entity[] = parseAllDocuments(readFileSync(aiFile, 'utf8')).map(d => d.toJS());
  const refOf = (e: Entity) => `${e.kind.toLocaleLowerCase('en-US')}:default/${e.metadata.name}`;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMlops,
        catalogModuleAiModelServer,
        catalogModuleAiResourceEntityModel,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Component', 'System', 'Domain', 'API', 'Resource', 'Location', 'Group', 'User', 'Model', 'AiModelServerAPI', 'AiResource'] }],
              locations: [...files, 'ai-assets.yaml'].map(f => ({ type: 'file', target: join(catalogDir, f) })),
              processingInterval: { seconds: 1 },
            },
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const entity = (ref: string) =>
    request(backend.server)
      .get(`/api/catalog/entities/by-name/${ref.replace(':', '/')}`)
      .set('Authorization', auth)
      .then(res => (res.status === 200 ? (res.body as Entity) : undefined));

  it('stores every entity of each kind without a processing error, the demo Models beside them', async () => {
    expect(aiEntities.map(e => e.kind).sort()).toEqual(['API', 'AiModelServerAPI', 'AiResource', 'Component', 'Model', 'Resource', 'Resource', 'Resource']);
    // An entity that fails validation or processing is never stored: each one is there, with no errors in its status.
    const stored = await waitFor(async () => {
      const all = await Promise.all(aiEntities.map(e => entity(refOf(e))));
      return all.every(e => e !== undefined) ? (all as Entity[]) : undefined;
    });
    const errorsOf = (e: Entity) => ((e as { status?: { items?: Array<{ level: string }> } }).status?.items ?? []).filter(i => i.level === 'error');
    for (const e of stored) expect({ ref: refOf(e), errors: errorsOf(e) }).toEqual({ ref: refOf(e), errors: [] });
    // The demo's own entities keep validating beside them (a module that replaced the built-in kinds would break these).
    for (const ref of ['model:default/home-feed-ranker', 'group:default/ranking-team', 'component:default/home-feed-service', 'system:default/recommendations']) {
      expect(await entity(ref)).toBeDefined();
    }
  });

  it('relates an llm Model to the model-server Component and the ai-model Resource it names, both ways', async () => {
    const model = await waitFor(async () => {
      const m = await entity('model:default/support-assistant');
      return (m?.relations ?? []).filter(r => r.type === 'dependencyOf').length === 2 ? m : undefined;
    });
    expect(model.spec?.type).toBe('llm');
    expect(model.relations!.filter(r => r.type === 'dependencyOf').map(r => r.targetRef).sort()).toEqual([
      'component:default/support-model-server',
      'resource:default/support-assistant-granite',
    ]);
    for (const ref of ['component:default/support-model-server', 'resource:default/support-assistant-granite']) {
      const other = await waitFor(async () => {
        const e = await entity(ref);
        return e?.relations?.some(r => r.type === 'dependsOn' && r.targetRef === 'model:default/support-assistant') ? e : undefined;
      });
      expect(other.spec?.type).toBe(ref.startsWith('component') ? 'model-server' : 'ai-model');
    }
  });
});
