import { Entity } from '@backstage/catalog-model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { invalidFixtures } from '../__testUtils__/invalidFixtures';
import { ModelEntityProcessor } from './ModelEntityProcessor';

const fixtures = join(__dirname, '../__fixtures__');
const location = { type: 'url', target: 'https://example.com/catalog-info.yaml' };

function load(file: string): Entity {
  return parse(readFileSync(file, 'utf8'));
}

describe('ModelEntityProcessor', () => {
  const processor = new ModelEntityProcessor();

  it('claims valid Model entities and leaves other kinds alone', async () => {
    await expect(processor.validateEntityKind(load(join(fixtures, 'valid-model.yaml')))).resolves.toBe(true);
    await expect(
      processor.validateEntityKind({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' } }),
    ).resolves.toBe(false);
    // Our kind under someone else's apiVersion is not ours to judge.
    await expect(
      processor.validateEntityKind({ apiVersion: 'example.com/v1', kind: 'Model', metadata: { name: 'x' } }),
    ).resolves.toBe(false);
  });

  const cases = invalidFixtures();
  it('has at least ten kinds of invalid file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map(c => [c.file, c.field, c.entity] as const))(
    'rejects %s with an error naming %s',
    async (_file, field, entity) => {
      const error = await processor.validateEntityKind(entity).then(
        () => undefined,
        e => e,
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(`${field}:`);
      expect(error?.message).toContain('model:default/broken-model');
    },
  );

  it('emits every relation in both directions', async () => {
    const emitted: any[] = [];
    await processor.postProcessEntity(load(join(fixtures, 'valid-model.yaml')), location, r => emitted.push(r));
    const relations = emitted
      .filter(r => r.type === 'relation')
      .map(({ relation: { source, type, target } }) =>
        `${source.kind}:${source.namespace}/${source.name} ${type} ${target.kind}:${target.namespace}/${target.name}`,
      );
    expect(relations.sort()).toEqual(
      [
        'Model:default/fixture-ranker ownedBy group:default/ranking-team',
        'group:default/ranking-team ownerOf Model:default/fixture-ranker',
        'Model:default/fixture-ranker partOf system:default/recommendations',
        'system:default/recommendations hasPart Model:default/fixture-ranker',
        'Model:default/fixture-ranker dependsOn resource:default/clickstream-events',
        'resource:default/clickstream-events dependencyOf Model:default/fixture-ranker',
        'Model:default/fixture-ranker dependsOn resource:default/orders',
        'resource:default/orders dependencyOf Model:default/fixture-ranker',
        'Model:default/fixture-ranker dependsOn resource:default/user-features',
        'resource:default/user-features dependencyOf Model:default/fixture-ranker',
        'Model:default/fixture-ranker dependencyOf component:default/home-feed-service',
        'component:default/home-feed-service dependsOn Model:default/fixture-ranker',
      ].sort(),
    );
  });

  it("gives a Model without docs of its own its generated model card as TechDocs, and leaves others' docs alone", async () => {
    const model = load(join(fixtures, 'valid-model.yaml'));
    const processed = await processor.preProcessEntity({ ...model, metadata: { ...model.metadata, namespace: 'ml' } });
    expect(processed.metadata.annotations?.['backstage.io/techdocs-ref']).toBe(`url:modelrails://model-card/ml/${model.metadata.name}`);
    const own = { ...model, metadata: { ...model.metadata, annotations: { 'backstage.io/techdocs-ref': 'dir:.' } } };
    expect(await processor.preProcessEntity(own)).toBe(own);
    const component: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' } };
    expect(await processor.preProcessEntity(component)).toBe(component);
  });

  it('emits nothing for other kinds', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(
      { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' }, spec: { owner: 'a' } },
      location,
      emit,
    );
    expect(emit).not.toHaveBeenCalled();
  });
});
