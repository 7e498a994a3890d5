import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, EntityProvider, entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { namesModel } from '../../lib/modelAnnotation';
import { AnnotatedModel } from './AnnotatedModel';

const model: Entity = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant', namespace: 'default' },
  spec: { type: 'llm', lifecycle: 'production', owner: 'ml-platform' },
};
const resource = (annotation: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'support-assistant-granite', namespace: 'default', annotations: { 'modelrails.io/model': annotation } },
  spec: { type: 'ai-model', owner: 'ml-platform' },
});

/** What a Model tab sees: the entity of the page it is on. */
function PageEntity() {
  const { entity } = useEntity();
  return <span>{`${entity.kind}:${entity.metadata.name}`}</span>;
}

async function render(entity: Entity) {
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <AnnotatedModel>
        <PageEntity />
      </AnnotatedModel>
    </EntityProvider>,
    {
      apis: [[catalogApiRef, catalogApiMock({ entities: [model, resource('support-assistant')] })]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('AnnotatedModel', () => {
  it("gives a Model tab on an ai-model Resource the Model its annotation names", async () => {
    await render(resource('support-assistant'));
    expect(await screen.findByText('Model:support-assistant')).toBeInTheDocument();
    // The page says whose data it shows, linking the Model.
    expect(screen.getByLabelText('ModelRails model')).toHaveTextContent('From the ModelRails model support-assistant');
    expect(screen.getByRole('link', { name: 'support-assistant' })).toBeInTheDocument();
  });

  it('names the annotation when the Model is not in the catalog, instead of showing the Resource as a Model', async () => {
    await render(resource('model:default/retired-model'));
    expect(await screen.findByText(/No Model "model:default\/retired-model" in the catalog/)).toBeInTheDocument();
    expect(screen.queryByText(/^Resource:/)).not.toBeInTheDocument();
  });

  it('applies to other entities that name a Model, never to Models themselves', () => {
    expect(namesModel(resource('support-assistant'))).toBe(true);
    expect(namesModel({ ...resource('x'), metadata: { name: 'y' } })).toBe(false);
    expect(namesModel({ ...model, metadata: { ...model.metadata, annotations: { 'modelrails.io/model': 'other' } } })).toBe(false);
  });
});
