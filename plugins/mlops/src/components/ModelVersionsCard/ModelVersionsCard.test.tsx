import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { ModelVersionList, SyncStatus } from '@modelrails/plugin-mlops-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api/MlopsApi';
import { ModelVersionsCard } from './ModelVersionsCard';
import { RequestPromotionButton } from './RequestPromotionButton';

const entity = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'm', namespace: 'default' },
  spec: { type: 'ranker', lifecycle: 'production', owner: 'team' },
};

const version = (v: string, extra: Partial<ModelVersionList['items'][number]>): ModelVersionList['items'][number] => ({
  modelRef: 'model:default/m',
  version: v,
  artifact: { uri: 's3://x', digest: 'sha256:x' },
  hyperparameters: {},
  metrics: { auc: 0.8 },
  training: { datasets: [] },
  featureSets: [],
  creator: 'user:default/alice',
  creatorVerified: true,
  source: 'ci',
  createdAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  reproducible: false,
  aliases: [],
  deployments: [],
  vsChampion: { auc: { value: 0.8 } },
  ...extra,
});

async function render(list: ModelVersionList, sync: SyncStatus) {
  const api: Partial<MlopsApi> = {
    listVersions: jest.fn(async () => list),
    getMlflowSyncStatus: jest.fn(async () => sync),
  };
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <ModelVersionsCard />
    </EntityProvider>,
    { apis: [[mlopsApiRef, api as MlopsApi]], mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('ModelVersionsCard', () => {
  it('shows each version with its comparison, lineage mark, deployments and age', async () => {
    await render(
      {
        modelRef: 'model:default/m',
        champion: '1',
        production: { champion: '1', servingVersion: '1', serving: [], awaitingDeployment: false },
        items: [
          version('2', {
            source: 'mlflow',
            vsChampion: { auc: { value: 0.78, champion: 0.8, relative: -0.025 } },
            reproducible: true,
            training: { datasets: [{ ref: 'resource:default/d', version: '1', digest: 'sha256:y' }] },
          }),
          version('1', {
            gates: {
              evaluatedAt: new Date().toISOString(),
              trigger: 'registration',
              passed: false,
              champion: '2',
              policyDigest: 'd',
              results: [
                { kind: 'metric-floor', name: 'metric-floor', rule: 'auc ≥ 0.7', advisory: false, status: 'pass', value: 0.8, threshold: 0.7, reason: 'ok' },
                { kind: 'latency-budget', name: 'latency-budget', rule: 'p99 latency ≤ 60 ms', advisory: false, status: 'fail', reason: 'latency_p99_ms was not reported' },
              ],
            },
            aliases: ['champion'],
            deployments: [{ environment: 'production', cluster: 'eu', namespace: 'n', trafficWeight: 100, updatedAt: '' }],
          }),
        ],
      },
      { configured: false },
    );
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('auc: 0.78 (−2.50 %)');
    expect(rows[0]).toHaveTextContent('MLflow');
    expect(rows[0]).toHaveTextContent('1 dataset');
    expect(rows[1]).toHaveTextContent('champion');
    expect(rows[1]).toHaveTextContent('production · eu · 100 %');
    expect(within(rows[1]).getByLabelText('not reproducible')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('3 days ago');
    expect(within(rows[1]).getByLabelText('gates failed')).toHaveTextContent('failed 1/2');
    expect(rows[1]).toHaveTextContent('latency-budget');
    expect(rows[0]).toHaveTextContent('not evaluated');
    expect(screen.getByText('Metrics compared with the champion, v1')).toBeInTheDocument();
    expect(screen.queryByLabelText('MLflow sync status')).not.toBeInTheDocument();
  });

  it('says when the MLflow sync failed', async () => {
    await render(
      { modelRef: 'model:default/m', items: [], production: { champion: null, servingVersion: null, serving: [], awaitingDeployment: false } },
      {
        configured: true,
        source: 'mlflow',
        ok: false,
        message: 'MLflow answered 401 to /api/2.0/mlflow/registered-models/search: UNAUTHENTICATED',
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        details: {},
      },
    );
    expect(await screen.findByText(/MLflow sync failed/)).toBeInTheDocument();
    expect(screen.getAllByText(/UNAUTHENTICATED/).length).toBeGreaterThan(0);
    expect(screen.getByText(/No versions registered yet/)).toBeInTheDocument();
  });

  it("names the versions of this model the MLflow sync skipped, and only this model's", async () => {
    await render(
      { modelRef: 'model:default/m', items: [version('1', {})], production: { champion: null, servingVersion: null, serving: [], awaitingDeployment: false } },
      {
        configured: true,
        source: 'mlflow',
        ok: true,
        message: 'synced, but 2 registered models or versions could not be copied',
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        details: {
          aliasMismatches: [],
          problems: [
            { mlflowModel: 'm', modelRef: 'model:default/m', version: '6', message: 'MLflow answered 500 to /api/2.0/mlflow/runs/get: INTERNAL_ERROR' },
            { mlflowModel: 'other', modelRef: 'model:default/other', version: '2', message: 'not this model' },
          ],
        },
      },
    );
    expect(await screen.findByText(/MLflow sync skipped part of this model/)).toBeInTheDocument();
    expect(screen.getByText(/v6: MLflow answered 500 to \/api\/2\.0\/mlflow\/runs\/get: INTERNAL_ERROR/)).toBeInTheDocument();
    expect(screen.queryByText(/not this model/)).not.toBeInTheDocument();
    expect(screen.getByLabelText('MLflow sync status')).toHaveTextContent('Synced from MLflow');
  });
});

describe('RequestPromotionButton', () => {
  it('asks for the environment and the reason in fields named by their labels, and sends both', async () => {
    const requestPromotion = jest.fn(async () => ({ id: 'p1' }));
    await renderInTestApp(<RequestPromotionButton modelRef="model:default/m" version="3" />, {
      apis: [[mlopsApiRef, { requestPromotion } as unknown as MlopsApi]],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Request promotion of v3' }));
    const dialog = await screen.findByRole('dialog', { name: 'Request promotion of v3' });
    expect(within(dialog).getByRole('button', { name: /production/ })).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Why' }), { target: { value: 'AUC up' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Request' }));
    await screen.findByRole('button', { name: 'Request promotion of v3' });
    expect(requestPromotion).toHaveBeenCalledWith({ kind: 'model', namespace: 'default', name: 'm' }, '3', { environment: 'production', reason: 'AUC up' });
  });
});
