import { FakeMlflowServer } from './FakeMlflowServer';
import { populateMlflow, RealMlflow, startRealMlflow, uniqueName } from './realMlflow';

/*
 * The fake MLflow stays only for faults a real server cannot be made to produce; for everything it
 * does answer, it must answer as MLflow does. Here the fake is loaded with exactly what a real
 * server holds, and both are asked the same questions (searches page by page, gets, errors); the
 * status, content type and parsed body must be equal.
 */

jest.setTimeout(180_000);

let mlflow: RealMlflow;
let fake: FakeMlflowServer;
let fakeUrl: string;
const models = [uniqueName('compare_a'), uniqueName('compare_b')];
const ids: { runs: string[]; loggedModels: string[] } = { runs: [], loggedModels: [] };
const API = '/api/2.0/mlflow';

async function ask(base: string, path: string, init?: RequestInit) {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML for an unknown route: compared as text
  }
  return { status: response.status, type: (response.headers.get('content-type') ?? '').split(';')[0], body };
}

beforeAll(async () => {
  mlflow = await startRealMlflow();
  const populated = await populateMlflow(mlflow.url, {
    experiment: uniqueName('compare'),
    models: [
      {
        name: models[0],
        tags: { team: 'ranking' },
        versions: [
          { run: { user: 'alice', params: { lr: '0.05' }, metrics: { ndcg: 0.18 }, datasets: [{ name: 'clicks', source: 's3://d/clicks' }] } },
          { run: { user: 'bob', params: { lr: '0.1' } }, loggedModel: { name: 'ranker', params: { depth: 6 }, metrics: { auc: 0.91 } } },
          { run: null, source: 's3://models/3', tags: { stage: 'candidate' } },
        ],
        aliases: { challenger: 2 },
      },
      { name: models[1], versions: [{ run: null, source: 's3://models/b/1' }] },
    ],
  });
  for (const name of models) {
    for (const v of populated.models[name]) {
      if (v.runId) ids.runs.push(v.runId);
      if (v.modelId) ids.loggedModels.push(v.modelId);
    }
  }

  // The fake holds what the real server holds, read back through the real server's own answers.
  fake = new FakeMlflowServer();
  fakeUrl = await fake.start();
  for (const name of models) {
    const { body } = await ask(mlflow.url, `${API}/registered-models/get?name=${name}`);
    fake.registeredModels.push((body as any).registered_model);
    const versions = await ask(mlflow.url, `${API}/model-versions/search?filter=${encodeURIComponent(`name='${name}'`)}&max_results=1000`);
    fake.modelVersions.push(...(versions.body as any).model_versions);
  }
  for (const id of ids.runs) fake.runs.set(id, ((await ask(mlflow.url, `${API}/runs/get?run_id=${id}`)).body as any).run);
  for (const id of ids.loggedModels) fake.loggedModels.set(id, ((await ask(mlflow.url, `${API}/logged-models/${id}`)).body as any).model);
});

afterAll(async () => {
  await fake?.stop();
  await mlflow?.stop();
});

describe('the fake MLflow answers as a real MLflow server does', () => {
  const filter = (name: string) => encodeURIComponent(`name='${name}'`);

  it('pages model version searches the same way, token for token, to the empty last page', async () => {
    for (const max of [1, 2, 3, 0, -1]) {
      let token: string | undefined;
      let pages = 0;
      do {
        const path = `${API}/model-versions/search?filter=${filter(models[0])}&max_results=${max}${token ? `&page_token=${token}` : ''}`;
        const [real, fromFake] = [await ask(mlflow.url, path), await ask(fakeUrl, path)];
        expect(fromFake).toEqual(real);
        token = (real.body as any).next_page_token;
        // MLflow refuses max_results below 1 for model versions (and the fake must too).
        if (max <= 0) break;
      } while (token && ++pages < 10);
    }
  });

  it('answers an empty search with {} and a search of one model as MLflow does', async () => {
    for (const path of [
      `${API}/model-versions/search?filter=${filter(uniqueName('nobody'))}`,
      `${API}/model-versions/search?filter=${filter(models[1])}`,
    ]) {
      expect(await ask(fakeUrl, path)).toEqual(await ask(mlflow.url, path));
    }
    expect((await ask(fakeUrl, `${API}/model-versions/search?filter=${filter(uniqueName('nobody'))}`)).body).toEqual({});
  });

  it('returns the same registered models, runs and logged models', async () => {
    const paths = [
      ...models.map(name => `${API}/registered-models/get?name=${name}`),
      ...ids.runs.map(id => `${API}/runs/get?run_id=${id}`),
      ...ids.loggedModels.map(id => `${API}/logged-models/${id}`),
    ];
    for (const path of paths) expect(await ask(fakeUrl, path)).toEqual(await ask(mlflow.url, path));
  });

  it('refuses what MLflow refuses, with the same status and body', async () => {
    const paths = [
      `${API}/runs/get?run_id=${uniqueName('missing')}`,
      `${API}/runs/get`,
      `${API}/registered-models/get?name=${uniqueName('missing')}`,
      `${API}/registered-models/get`,
      `${API}/logged-models/m-${'0'.repeat(32)}`,
      `${API}/registered-models/search?max_results=5000`,
      `${API}/registered-models/search?max_results=abc`,
      `${API}/registered-models/search?page_token=garbage`,
      `${API}/model-versions/search?filter=bogus`,
      `${API}/no-such-endpoint`,
    ];
    for (const path of paths) expect({ path, ...(await ask(fakeUrl, path)) }).toEqual({ path, ...(await ask(mlflow.url, path)) });
    const alias = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [{ name: models[0], alias: 'champion', version: '99' }, { name: uniqueName('missing'), alias: 'a', version: '1' }, {}, { name: models[0] }]) {
      expect(await ask(fakeUrl, `${API}/registered-models/alias`, alias(body))).toEqual(await ask(mlflow.url, `${API}/registered-models/alias`, alias(body)));
    }
  });
});
