import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ModelPolicyView } from '@modelrails/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api/MlopsApi';
import { ModelPolicyCard } from './ModelPolicyCard';

const entity = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'home-feed-ranker', namespace: 'default' },
  spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team' },
};

const view: ModelPolicyView = {
  entityRef: 'model:default/home-feed-ranker',
  type: 'ranker',
  lifecycle: 'production',
  policy: {} as ModelPolicyView['policy'],
  sections: [
    { title: 'Validation gates', lines: [{ label: 'metric-floor', value: 'ndcg@20 ≥ 0.17' }] },
    { title: 'Rollout', lines: [{ label: 'canary steps', value: '5 % → 100 %' }] },
  ],
};

function apiReturning(impl: MlopsApi['getModelPolicy']): MlopsApi {
  return { getModelPolicy: jest.fn(impl) } as Partial<MlopsApi> as MlopsApi;
}

describe('ModelPolicyCard', () => {
  it('renders the policy the backend returns, section by section', async () => {
    const api = apiReturning(async () => view);
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <ModelPolicyCard />
      </EntityProvider>,
      { apis: [[mlopsApiRef, api]] },
    );
    const gates = await screen.findByRole('region', { name: 'Validation gates' });
    expect(within(gates).getByText('ndcg@20 ≥ 0.17')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Rollout' })).toHaveTextContent('5 % → 100 %');
    expect(screen.getByText('lifecycle: production')).toBeInTheDocument();
    expect(api.getModelPolicy).toHaveBeenCalledWith({ kind: 'Model', namespace: 'default', name: 'home-feed-ranker' });
  });

  it('shows the error when the backend fails', async () => {
    const api = apiReturning(async () => {
      throw new Error('backend unreachable');
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <ModelPolicyCard />
      </EntityProvider>,
      { apis: [[mlopsApiRef, api]] },
    );
    expect((await screen.findAllByText(/backend unreachable/)).length).toBeGreaterThan(0);
    expect(screen.queryByRole('region', { name: 'Validation gates' })).not.toBeInTheDocument();
  });
});
