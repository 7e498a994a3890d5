/*
 * The embedded demo's stand-in for an MLflow tracking server (no real one can run offline): the
 * same fake the tests use, on 127.0.0.1:5055, holding two newer versions of the item embedding
 * encoder that the backend's MLflow sync copies into ModelRails. Started by `npm start` and by the
 * browser tests. Run: node -r @backstage/cli/config/nodeTransform.cjs scripts/demo-mlflow.ts
 */
import { FakeMlflowServer } from '../plugins/mlops-backend/src/__testUtils__/FakeMlflowServer';

const PORT = Number(process.env.DEMO_MLFLOW_PORT ?? 5055);
const day = 86_400_000;

async function main() {
  const fake = new FakeMlflowServer();
  const now = Date.now();
  fake.registeredModels = [
    { name: 'item-embedding-encoder', aliases: [{ alias: 'challenger', version: '8' }] },
    // Nobody's Model entity follows this one: the sync skips it.
    { name: 'notebook-scratch', aliases: [] },
  ];
  const version = (v: string, runId: string, created: number, digest?: string) => ({
    name: 'item-embedding-encoder',
    version: v,
    status: 'READY' as const,
    user_id: 'dan@example.com',
    source: `mlflow-artifacts:/12/${runId}/artifacts/encoder`,
    run_id: runId,
    creation_timestamp: created,
    tags: digest ? [{ key: 'modelrails.artifact_digest', value: digest }] : [],
  });
  fake.modelVersions = [
    version('7', 'mlflow-run-7', now - 2 * day),
    version('8', 'mlflow-run-8', now - day, `sha256:${'8e'.repeat(32)}`),
    { name: 'notebook-scratch', version: '1', status: 'READY', source: 's3://scratch/1' },
  ];
  const run = (id: string, recall: number, snapshot: string) => ({
    info: { run_id: id, run_name: id, experiment_id: '12', user_id: 'dan', status: 'FINISHED', start_time: now - 3 * day, end_time: now - 3 * day + 3_600_000 },
    data: {
      metrics: [{ key: 'recall@100', value: recall, timestamp: now, step: 0 }],
      params: [
        { key: 'embedding_dim', value: '128' },
        { key: 'temperature', value: '0.07' },
      ],
      tags: [{ key: 'mlflow.source.git.commit', value: '5d41402abc4b2a76b9719d911017c592' }],
    },
    inputs: {
      dataset_inputs: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'item-catalog-snapshot', digest: snapshot, source_type: 's3', source: '{"uri": "s3://modelrails-demo-data/item-catalog-snapshot/"}' },
        },
      ],
    },
  });
  fake.runs.set('mlflow-run-7', run('mlflow-run-7', 0.667, '7a3f9c21'));
  fake.runs.set('mlflow-run-8', run('mlflow-run-8', 0.674, '91bd02ee'));

  const url = await fake.start(PORT);
  process.stdout.write(`demo MLflow listening on ${url}\n`);
  const stop = () => fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
