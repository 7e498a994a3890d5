/*
 * The demo's MLflow when the real one cannot be installed (no PyPI): the fake the tests use for
 * faults, on 127.0.0.1:5055, holding what scripts/demo-mlflow.json describes (the same scenario
 * the real server is filled with). Started by scripts/demo-mlflow.mjs only as the fallback.
 * Run: node -r @backstage/cli/config/nodeTransform.cjs scripts/demo-mlflow-standin.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeMlflowServer } from '../plugins/mlops-backend/src/__testUtils__/FakeMlflowServer';
import type { Scenario } from '../plugins/mlops-backend/src/__testUtils__/realMlflow';

const PORT = Number(process.env.DEMO_MLFLOW_PORT ?? 5055);
const hash = (text: string) => createHash('sha256').update(text).digest('hex');

async function main() {
  const scenario: Scenario = JSON.parse(readFileSync(join(__dirname, 'demo-mlflow.json'), 'utf8'));
  const fake = new FakeMlflowServer();
  const now = Date.now();
  for (const model of scenario.models ?? []) {
    const aliases = Object.entries(model.aliases ?? {}).map(([alias, index]) => ({ alias, version: String(index) }));
    fake.registeredModels.push({ name: model.name, creation_timestamp: now, last_updated_timestamp: now, aliases, tags: [] });
    model.versions.forEach((spec, i) => {
      const version = String(i + 1);
      const runId = spec.run ? hash(`${model.name}/${version}`).slice(0, 32) : '';
      const created = now - (model.versions.length - i) * 86_400_000;
      fake.modelVersions.push({
        name: model.name,
        version,
        creation_timestamp: created,
        last_updated_timestamp: created,
        current_stage: 'None',
        description: '',
        source: spec.source ?? `runs:/${runId}/model`,
        run_id: runId,
        status: 'READY',
        run_link: '',
        tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      });
      if (!spec.run) return;
      const run = spec.run;
      fake.runs.set(runId, {
        info: { run_id: runId, run_name: `${model.name}-v${version}`, experiment_id: '1', user_id: run.user, status: 'FINISHED', start_time: created - 3_600_000, end_time: created },
        data: {
          metrics: Object.entries(run.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: created, step: 0 })),
          params: Object.entries(run.params ?? {}).map(([key, value]) => ({ key, value: String(value) })),
          tags: [{ key: 'mlflow.user', value: run.user ?? 'ci' }, ...(run.gitCommit ? [{ key: 'mlflow.source.git.commit', value: run.gitCommit }] : [])],
        },
        inputs: {
          dataset_inputs: (run.datasets ?? []).map(d => ({
            tags: [{ key: 'mlflow.data.context', value: d.context ?? 'training' }],
            dataset: { name: d.name, digest: hash(d.source).slice(0, 8), source_type: d.source.startsWith('http') ? 'http' : 's3', source: JSON.stringify(d.source.startsWith('http') ? { url: d.source } : { uri: d.source }) },
          })),
        },
      });
    });
  }
  const url = await fake.start(PORT);
  process.stdout.write(`demo MLflow stand-in listening on ${url}\n`);
  const stop = () => fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
