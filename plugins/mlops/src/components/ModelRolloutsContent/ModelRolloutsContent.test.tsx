import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { RolloutCheck, RolloutDetail } from '@modelrails/plugin-mlops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api/MlopsApi';
import { ModelRolloutsContent } from './ModelRolloutsContent';

const entity = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'related-items-ranker', namespace: 'default' },
  spec: { type: 'ranker', lifecycle: 'staging', owner: 'team' },
};

const kpiFail: RolloutCheck = {
  check: 'kpi',
  verdict: 'fail',
  value: -0.539,
  threshold: -0.02,
  comparator: '>=',
  championN: 2700,
  challengerN: 410,
  championValue: 0.1478,
  pValue: 5.7e-7,
  interval: [-0.65, -0.41],
  detail: 'ctr 6.81 % vs 14.78 % (-53.9 %, p = 5.7e-7); rolls back on a drop of 2.00 % at p < 0.05',
};

const base: RolloutDetail = {
  id: '7f4c1e8a-0000-4000-8000-000000000001',
  modelRef: 'model:default/related-items-ranker',
  version: '4',
  champion: '3',
  promotionId: null,
  router: 'simulated',
  target: 'simulated traffic',
  stage: 'canary',
  status: 'running',
  step: 0,
  steps: [10, 25, 50, 100].map(weight => ({ weight, minDuration: '30s', minSamples: 400 })),
  weight: 10,
  mirrored: false,
  pending: null,
  scaledDown: false,
  stageStartedAt: '2026-11-24T01:36:36Z',
  createdAt: '2026-11-24T01:36:06Z',
  updatedAt: '2026-11-24T01:36:36Z',
  endedAt: null,
  headline: null,
  decisions: [{ id: 2, rolloutId: 'x', at: '2026-11-24T01:36:36Z', stage: 'shadow', step: null, weight: 0, action: 'advance', actor: 'plugin:mlops:rollout-engine', reason: 'every check passed at shadow: on to 10 %', checks: [] }],
};

const rolledBack: RolloutDetail = {
  ...base,
  stage: 'rolled-back',
  status: 'rolled-back',
  step: null,
  weight: 0,
  scaledDown: true,
  endedAt: '2026-11-24T01:37:26Z',
  headline: `rolled back at 10 %: ${kpiFail.detail}`,
  decisions: [
    { id: 4, rolloutId: 'x', at: '2026-11-24T01:37:26Z', stage: 'rolled-back', step: null, weight: 0, action: 'scale-down', actor: 'plugin:mlops:rollout-engine', reason: 'v4 scaled down', checks: [] },
    { id: 3, rolloutId: 'x', at: '2026-11-24T01:37:26Z', stage: 'canary', step: 0, weight: 10, action: 'rollback', actor: 'plugin:mlops:rollout-engine', reason: `rolled back at 10 %: ${kpiFail.detail}`, checks: [kpiFail] },
    ...base.decisions,
  ],
};

async function render(detail: RolloutDetail, denied: string[] = []) {
  const api: Partial<MlopsApi> = {
    listRollouts: jest.fn(async () => [detail]),
    getRollout: jest.fn(async () => detail),
    actOnRollout: jest.fn(async (_id, action) => ({ ...detail, status: action === 'pause' ? ('paused' as const) : detail.status })),
  };
  const permissions = mockApis.permission({ authorize: request => (denied.includes(request.permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW) });
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <ModelRolloutsContent />
    </EntityProvider>,
    { apis: [[mlopsApiRef, api as MlopsApi], [permissionApiRef, permissions]] },
  );
  return api;
}

describe('ModelRolloutsContent', () => {
  it('says why a rollout rolled back, marks where it stopped and shows the failing check beside its threshold', async () => {
    await render(rolledBack);
    expect(await screen.findByLabelText('why it rolled back')).toHaveTextContent('rolled back at 10 %: ctr 6.81 % vs 14.78 %');
    const timeline = screen.getByLabelText('stage timeline');
    expect(within(timeline).getByText('10 %').closest('[class*="MuiStepLabel-root"]')?.className).toMatch(/error|Mui-error/);
    const row = within(screen.getByRole('table', { name: 'latest analysis' })).getByText('KPI vs champion').closest('tr')!;
    expect(row).toHaveAttribute('data-verdict', 'fail');
    expect(row).toHaveTextContent('−53.9 %');
    expect(row).toHaveTextContent('≥ −2.00 %');
    expect(row).toHaveTextContent('410 / 2,700');
    expect(screen.getByTestId('weights-text')).toHaveTextContent('v3 100 % · v4 0 %');
    // Ended by a rollback: nothing left to pause, promote or roll back.
    expect(screen.getByRole('button', { name: 'Pause' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  });

  it('enables only what the status allows and the permissions grant, and sends the reason', async () => {
    // usePermission caches answers per permission and resource across renders: another model here.
    const running = { ...base, modelRef: 'model:default/home-feed-ranker' };
    const api = await render(running, ['mlops.rollout.rollback']);
    const pause = await screen.findByRole('button', { name: 'Pause' });
    await waitFor(() => expect(pause).toBeEnabled());
    expect(screen.getByRole('button', { name: 'Resume' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Abort' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
    expect(screen.getByTestId('weights-text')).toHaveTextContent('v3 90 % · v4 10 %');
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'checking the feature store' } });
    fireEvent.click(pause);
    await waitFor(() => expect(api.actOnRollout).toHaveBeenCalledWith(running.id, 'pause', { reason: 'checking the feature store' }));
  });
});
