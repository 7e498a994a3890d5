import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MODEL_KIND } from '@modelrails/plugin-mlops-common';
import { mlopsApiRef, MlopsClient } from './api/MlopsApi';

const isModel = { kind: MODEL_KIND.toLocaleLowerCase('en-US') };

const mlopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MlopsClient(deps),
    }),
});

const modelPolicyCard = EntityCardBlueprint.make({
  name: 'model-policy',
  params: {
    filter: isModel,
    type: 'content',
    loader: () =>
      import('./components/ModelPolicyCard').then(m => <m.ModelPolicyCard />),
  },
});

/**
 * The ModelRails portal plugin (new frontend system).
 *
 * @public
 */
export const mlopsPlugin = createFrontendPlugin({
  pluginId: 'mlops',
  title: 'ModelRails',
  extensions: [mlopsApi, modelPolicyCard],
});
