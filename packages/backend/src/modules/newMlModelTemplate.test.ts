import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import catalogModuleMlops from '@modelrails/plugin-catalog-backend-module-mlops';
import { mlopsFileUrlReaderServiceFactory } from '@modelrails/plugin-mlops-backend';
import { parseModelEntity } from '@modelrails/plugin-mlops-common';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { parse } from 'yaml';
import demoRepositories from './demoRepositories';

// The "New ML model" Software Template through the real Scaffolder backend: its dry-run API renders
// the skeleton for every rollout preset and model type, and a real task publishes the repository
// and registers the Model in a real catalog (with the Model kind's own validation).

jest.setTimeout(120_000);

const catalogDir = resolve(__dirname, '../../../../catalog');
const templateDir = join(catalogDir, 'templates/new-ml-model');
const template = parse(readFileSync(join(templateDir, 'template.yaml'), 'utf8'));
const alice = mockCredentials.user.header('user:default/alice');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The template folder as the dry-run API takes it: every file, base64, relative to template.yaml. */
const directoryContents = filesUnder(templateDir).map(path => ({ path: relative(templateDir, path), base64Content: readFileSync(path).toString('base64') }));

const VALUES = {
  name: 'churn-predictor',
  description: 'Predicts which subscribers cancel within 30 days: "at risk" lists for the retention team.',
  owner: 'group:default/ml-platform',
  system: 'system:default/recommendations',
  type: 'classifier',
  datasets: ['resource:default/clickstream-events', 'resource:default/orders'],
  servedBy: 'component:default/home-feed-service',
  kpis: [
    { name: 'retention', title: 'Retained after offer', outcome: 'retained', direction: 'higher-is-better', sloMin: 0.3 },
    { name: 'complaints', outcome: 'complaint', direction: 'lower-is-better' },
  ],
  rolloutPreset: 'standard',
};

async function start(repositories: string) {
  return startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlops,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      demoRepositories,
      mlopsFileUrlReaderServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          catalog: {
            rules: [{ allow: ['Component', 'System', 'Domain', 'Resource', 'Location', 'Group', 'User', 'Model', 'Template'] }],
            locations: ['org.yaml', 'systems.yaml', 'resources.yaml', 'components.yaml', 'templates/new-ml-model/template.yaml'].map(f => ({
              type: 'file',
              target: join(catalogDir, f),
            })),
            processingInterval: { seconds: 1 },
          },
          demo: { repositories: { directory: repositories } },
          mlops: { runbooks: { localDirectories: [catalogDir, repositories] } },
        },
      }),
    ],
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('the New ML model template', () => {
  const repositories = mkdtempSync(join(tmpdir(), 'modelrails-repositories-'));
  let backend: Awaited<ReturnType<typeof start>>;

  beforeAll(async () => {
    backend = await start(repositories);
  });
  afterAll(async () => {
    await backend?.stop();
    rmSync(repositories, { recursive: true, force: true });
  });

  /** The template as the catalog holds it, once its location has been processed. */
  const templateInCatalog = () =>
    waitFor(async () => {
      const res = await request(backend.server).get('/api/catalog/entities/by-name/template/default/new-ml-model').set('Authorization', alice);
      return res.status === 200 ? (res.body as Entity) : undefined;
    });

  const dryRun = (values: Record<string, unknown>) =>
    request(backend.server).post('/api/scaffolder/v2/dry-run').set('Authorization', alice).send({ template, values, secrets: {}, directoryContents });

  const rendered = (body: any) => new Map<string, string>(body.directoryContents.map((f: any) => [f.path, Buffer.from(f.base64Content, 'base64').toString('utf8')]));

  it('renders a Model whose policy the Model kind accepts, for every rollout preset and model type', async () => {
    const presets: Record<string, { shadow: boolean; weights: number[] }> = {
      careful: { shadow: true, weights: [1, 5, 25, 50, 100] },
      standard: { shadow: true, weights: [5, 25, 50, 100] },
      fast: { shadow: false, weights: [10, 50, 100] },
    };
    for (const [rolloutPreset, expected] of Object.entries(presets)) {
      for (const type of ['classifier', 'llm']) {
        const res = await dryRun({ ...VALUES, rolloutPreset, type });
        expect([res.status, res.status === 200 ? '' : JSON.stringify(res.body)]).toEqual([200, '']);
        const files = rendered(res.body);
        const parsed = parseModelEntity(parse(files.get('catalog-info.yaml')!));
        expect(parsed.success ? 'valid' : parsed.problems).toBe('valid');
        if (!parsed.success) continue;
        const { spec, metadata } = parsed.entity;
        expect(metadata).toMatchObject({ name: 'churn-predictor', description: VALUES.description });
        expect(spec).toMatchObject({ type, lifecycle: 'experimental', owner: VALUES.owner, system: VALUES.system, datasets: VALUES.datasets, servedBy: VALUES.servedBy });
        expect(spec.policy.rollout.steps.map(s => s.weight)).toEqual(expected.weights);
        expect(spec.policy.rollout.shadow.enabled).toBe(expected.shadow);
        expect(spec.policy.rollout.analysis.kpi).toBe('retention');
        expect(spec.policy.kpis).toEqual([
          expect.objectContaining({ name: 'retention', title: 'Retained after offer', numerator: { source: 'outcome', outcome: 'retained' }, slo: { min: 0.3 } }),
          expect.objectContaining({ name: 'complaints', title: 'complaints', direction: 'lower-is-better' }),
        ]);
        expect(spec.policy.kpis[1].slo).toBeUndefined();
        expect(spec.policy.llm).toEqual(type === 'llm' ? { maxTimeToFirstTokenMs: 500, minOutputTokensPerSecond: 30 } : undefined);
        expect(files.get('model-card.md')).toContain(`## Intended use\n\n${VALUES.description}`);
        expect(parsed.entity.metadata.annotations).toEqual({ 'modelrails.io/model-card': 'model-card.md' });
        // Every runbook the Model names is in the repository.
        for (const runbook of spec.runbooks) expect([runbook.path, files.has(runbook.path)]).toEqual([runbook.path, true]);
      }
    }
  });

  it("writes a CI workflow that keeps GitHub's own expressions and a registration script that compiles", async () => {
    const files = rendered((await dryRun(VALUES)).body);
    const workflow = parse(files.get('.github/workflows/register-model.yaml')!);
    expect(workflow.name).toBe('Register churn-predictor');
    const job = workflow.jobs['train-and-register'];
    expect(job.env).toEqual({
      MODELRAILS_URL: '${{ vars.MODELRAILS_URL }}',
      MODELRAILS_CI_TOKEN: '${{ secrets.MODELRAILS_CI_TOKEN }}',
      MODELRAILS_CREATED_BY: 'user:default/${{ github.actor }}',
    });
    expect(job.steps.at(-1).run).toContain('python ci/register_version.py "${{ github.run_number }}"');
    const script = files.get('ci/register_version.py')!;
    expect(script).toContain('MODEL = "churn-predictor"');
    expect(script).toMatch(/client\.register_version\(MODEL, version,[\s\S]*client\.upload_training_profile\(MODEL, version, frame\)/);
    const compiled = spawnSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "register_version.py", "exec")'], { input: script, encoding: 'utf8' });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    expect(files.get('runbooks/drift-and-contract-violations.md')).toContain('the owner, group:default/ml-platform');
  });

  it('creates the repository and registers the Model in the catalog through a real task', async () => {
    const templateEntity = await templateInCatalog();
    expect(templateEntity.spec?.type).toBe('ml-model');

    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', alice)
      .send({ templateRef: 'template:default/new-ml-model', values: VALUES });
    expect(created.status).toBe(201);
    const task = await waitFor(async () => {
      const res = await request(backend.server).get(`/api/scaffolder/v2/tasks/${created.body.id}`).set('Authorization', alice);
      return ['completed', 'failed'].includes(res.body.status) ? res.body : undefined;
    });
    const events = await request(backend.server).get(`/api/scaffolder/v2/tasks/${created.body.id}/events`).set('Authorization', alice);
    const failures = events.body.filter((e: any) => e.body?.status === 'failed').map((e: any) => e.body.message);
    expect([task.status, failures]).toEqual(['completed', []]);

    // A git repository with one commit, holding the rendered files.
    const repository = join(repositories, 'churn-predictor');
    expect(existsSync(join(repository, 'catalog-info.yaml'))).toBe(true);
    const log = spawnSync('git', ['log', '--format=%s'], { cwd: repository, encoding: 'utf8' });
    expect(log.stdout.trim()).toBe('New ML model: churn-predictor');
    const completion = events.body.find((e: any) => e.type === 'completion');
    expect(completion.body.output.links).toEqual([
      { title: 'Repository', url: pathToFileURL(repository).href },
      { title: 'Open the Model in the catalog', icon: 'catalog', entityRef: 'model:default/churn-predictor' },
    ]);

    // The catalog read it back through its location and kept it: no processing error.
    const model = await waitFor(async () => {
      const res = await request(backend.server).get('/api/catalog/entities/by-name/model/default/churn-predictor').set('Authorization', alice);
      return res.status === 200 && (res.body.relations ?? []).length ? (res.body as Entity) : undefined;
    });
    expect(model.relations!.filter(r => r.type === 'ownedBy').map(r => r.targetRef)).toEqual(['group:default/ml-platform']);

    // The same name again: the repository exists, the task fails and nothing is overwritten.
    const again = await request(backend.server).post('/api/scaffolder/v2/tasks').set('Authorization', alice).send({ templateRef: 'template:default/new-ml-model', values: VALUES });
    const second = await waitFor(async () => {
      const res = await request(backend.server).get(`/api/scaffolder/v2/tasks/${again.body.id}`).set('Authorization', alice);
      return ['completed', 'failed'].includes(res.body.status) ? res.body : undefined;
    });
    expect(second.status).toBe('failed');
    expect(spawnSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repository, encoding: 'utf8' }).stdout.trim()).toBe('1');
  });

  it('refuses values the form would refuse, naming the field, before any step runs', async () => {
    await templateInCatalog();
    const bad = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', alice)
      .send({ templateRef: 'template:default/new-ml-model', values: { ...VALUES, name: 'Churn Predictor' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => [e.property, e.message])).toEqual([['instance.name', 'does not match pattern "^[a-z0-9][a-z0-9-]{0,62}$"']]);
    // A KPI outcome that is not lower_snake_case, and no KPI at all, are refused the same way.
    const kpis = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', alice)
      .send({ templateRef: 'template:default/new-ml-model', values: { ...VALUES, kpis: [{ name: 'ctr', outcome: 'Click', direction: 'higher-is-better' }] } });
    expect([kpis.status, kpis.body.errors?.map((e: any) => e.property)]).toEqual([400, ['instance.kpis[0].outcome']]);
    const none = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', alice)
      .send({ templateRef: 'template:default/new-ml-model', values: { ...VALUES, kpis: [] } });
    expect([none.status, none.body.errors?.map((e: any) => e.property)]).toEqual([400, ['instance.kpis']]);
    expect(existsSync(join(repositories, 'Churn Predictor'))).toBe(false);
  });
});
