import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fc from 'fast-check';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';

jest.setTimeout(60_000);

const model = (name: string) => ({
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'ranker',
    lifecycle: 'production',
    owner: 'ranking-team',
    policy: {
      gates: [
        { kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 },
        { kind: 'latency-budget', maxMs: 60 },
      ],
    },
  },
});
const user = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: {},
});
const entities = [
  model('home-feed-ranker'),
  model('related-items-ranker'),
  user('alice'),
];
const digest = (c: string) => `sha256:${c.repeat(64)}`;

const validBody = (version = '12') => ({
  version,
  artifact: {
    uri: `s3://models/home-feed-ranker/${version}/model.txt`,
    digest: digest('a'),
  },
  codeCommit: '3f2c1a9e',
  hyperparameters: {
    learning_rate: 0.05,
    objective: 'lambdarank',
    early_stopping: true,
  },
  metrics: { 'ndcg@20': 0.186, auc: 0.81 },
  training: {
    run: { id: `train-${version}`, url: 'https://ci.example.com/runs/1' },
    datasets: [
      { ref: 'clickstream-events', version: '2026-11-01', digest: digest('1') },
    ],
  },
  featureSets: [
    {
      ref: 'resource:default/user-features',
      version: 'v7',
      schema: { user_country: 'string' },
    },
  ],
  createdBy: 'user:default/alice',
});

const versionsUrl = '/api/mlops/models/default/home-feed-ranker/versions';

describe('registry routes', () => {
  async function start(
    result:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    return server;
  }
  const asUser = mockCredentials.user.header('user:default/bob');
  const asService = mockCredentials.service.header();

  it("records an MLflow dataset input by MLflow's own digest", async () => {
    const server = await start();
    const body = validBody();
    body.training.datasets[0].digest = 'mlflow:3f2c1a9e';
    const created = await request(server).post(versionsUrl).set('Authorization', asService).send(body);
    expect(created.status).toBe(201);
    expect(created.body.training.datasets[0].digest).toBe('mlflow:3f2c1a9e');
  });

  it('registers a version and reads it back with its lineage record', async () => {
    const server = await start();
    const created = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(validBody());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      modelRef: 'model:default/home-feed-ranker',
      version: '12',
      creator: 'user:default/alice',
      source: 'ci',
      reproducible: true,
      training: {
        run: { source: 'ci', id: 'train-12' },
        datasets: [
          {
            ref: 'resource:default/clickstream-events',
            version: '2026-11-01',
            digest: digest('1'),
          },
        ],
      },
    });
    const read = await request(server)
      .get(`${versionsUrl}/12`)
      .set('Authorization', asUser);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const list = await request(server)
      .get(versionsUrl)
      .set('Authorization', asUser);
    expect(list.body.items.map((v: { version: string }) => v.version)).toEqual([
      '12',
    ]);
    expect(list.body.items[0].vsChampion).toEqual({
      'ndcg@20': { value: 0.186 },
      auc: { value: 0.81 },
    });

    const lineage = await request(server)
      .get(`${versionsUrl}/12/lineage`)
      .query({ depth: '2' })
      .set('Authorization', asUser);
    expect(lineage.status).toBe(200);
    expect(
      lineage.body.nodes.map((n: { kind: string }) => n.kind).sort(),
    ).toEqual(['dataset-version', 'model-version', 'training-run']);

    const consumers = await request(server)
      .get(
        '/api/mlops/datasets/default/clickstream-events/versions/2026-11-01/models',
      )
      .set('Authorization', asUser);
    expect(consumers.body.models).toEqual([
      {
        modelRef: 'model:default/home-feed-ranker',
        version: '12',
        serving: false,
        deployments: [],
      },
    ]);
  });

  it('runs the gates when a version arrives, and again on demand', async () => {
    const server = await start();
    const created = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(validBody());
    expect(created.body.gates).toMatchObject({
      trigger: 'registration',
      passed: false,
      results: [
        { kind: 'metric-floor', status: 'pass', value: 0.186, threshold: 0.17 },
        {
          kind: 'latency-budget',
          status: 'fail',
          reason: 'latency_p99_ms was not reported',
        },
      ],
    });
    const again = await request(server)
      .post(`${versionsUrl}/12/gates`)
      .set('Authorization', asService);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ trigger: 'manual', passed: false });
    const read = await request(server)
      .get(`${versionsUrl}/12`)
      .set('Authorization', asUser);
    expect(read.body.gates.trigger).toBe('manual');
    expect(
      (
        await request(server)
          .post(`${versionsUrl}/99/gates`)
          .set('Authorization', asService)
      ).status,
    ).toBe(404);
  });

  it('marks a creator CI names verified only when the catalog holds that User', async () => {
    const server = await start();
    const known = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(validBody('12'));
    expect(known.status).toBe(201);
    expect(known.body).toMatchObject({
      creator: 'user:default/alice',
      creatorVerified: true,
      source: 'ci',
    });
    const unknown = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send({ ...validBody('13'), createdBy: 'mallory' });
    expect(unknown.status).toBe(201);
    expect(unknown.body).toMatchObject({
      creator: 'user:default/mallory',
      creatorVerified: false,
    });
    const listed = await request(server)
      .get(versionsUrl)
      .set('Authorization', asUser);
    expect(
      listed.body.items.map((v: any) => [v.version, v.creatorVerified]),
    ).toEqual([
      ['13', false],
      ['12', true],
    ]);
  });

  it('takes the creator of a user registration from the token, not the body', async () => {
    const server = await start();
    const res = await request(server)
      .post(versionsUrl)
      .set('Authorization', asUser)
      .send(validBody());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      creator: 'user:default/bob',
      source: 'portal',
    });
  });

  it.each([
    ['a missing version', (b: any) => delete b.version, /version/],
    ['a malformed version', (b: any) => (b.version = 'v 1'), /version/],
    [
      'a malformed artifact digest',
      (b: any) => (b.artifact.digest = 'md5:abc'),
      /artifact\/digest/,
    ],
    [
      'a metric that is not a number',
      (b: any) => (b.metrics.auc = 'high'),
      /metrics\/auc/,
    ],
    ['an unknown field', (b: any) => (b.colour = 'blue'), /colour/],
    [
      'a dataset digest that is neither sha256 nor MLflow\'s',
      (b: any) => (b.training.datasets[0].digest = 'x'),
      /training\/datasets\/0\/digest/,
    ],
    [
      'an MLflow dataset digest with characters MLflow never writes',
      (b: any) => (b.training.datasets[0].digest = 'mlflow:ab/../cd'),
      /training\/datasets\/0\/digest/,
    ],
    [
      'a dataset that is not a Resource',
      (b: any) => (b.training.datasets[0].ref = 'component:default/x'),
      /training\.datasets\[0\]\.ref/,
    ],
    [
      'datasets without the run that read them',
      (b: any) => delete b.training.run,
      /training\.run/,
    ],
    [
      'a creator that is not a user',
      (b: any) => (b.createdBy = 'component:default/x'),
      /createdBy/,
    ],
    [
      'a creator that is a group (any member could then approve)',
      (b: any) => (b.createdBy = 'group:default/ranking-team'),
      /createdBy/,
    ],
    [
      'a creator with a trailing space',
      (b: any) => (b.createdBy = 'user:default/alice '),
      /createdBy/,
    ],
    [
      'a creator written with a Cyrillic letter',
      (b: any) => (b.createdBy = 'user:default/\u0430lice'),
      /createdBy/,
    ],
    [
      'a run URL that is not http(s)',
      (b: any) => (b.training.run.url = ['javascript', 'alert(1)'].join(':')),
      /training\/run\/url/,
    ],
    [
      'a run URL to a file',
      (b: any) => (b.training.run.url = 'file:///etc/passwd'),
      /training\/run\/url/,
    ],
  ])('answers 400 naming the field for %s', async (_what, mutate, field) => {
    const server = await start();
    const body = validBody();
    mutate(body);
    const res = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(field);
    const list = await request(server)
      .get(versionsUrl)
      .set('Authorization', asUser);
    expect(list.body.items).toEqual([]);
  });

  it('answers 404 for an unknown model and 409 for a duplicate version', async () => {
    const server = await start();
    const unknown = await request(server)
      .post('/api/mlops/models/default/no-such-model/versions')
      .set('Authorization', asService)
      .send(validBody());
    expect(unknown.status).toBe(404);
    expect(
      (
        await request(server)
          .get(`${versionsUrl}/12`)
          .set('Authorization', asUser)
      ).status,
    ).toBe(404);

    expect(
      (
        await request(server)
          .post(versionsUrl)
          .set('Authorization', asService)
          .send(validBody())
      ).status,
    ).toBe(201);
    const duplicate = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(validBody());
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.name).toBe('ConflictError');
  });

  it('answers 413 for a body over the limit and writes nothing', async () => {
    const server = await start();
    const body = validBody();
    body.hyperparameters = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]),
    ) as any;
    const res = await request(server)
      .post(versionsUrl)
      .set('Authorization', asService)
      .send(body);
    expect(res.status).toBe(413);
    expect(res.body.error.name).toBe('PayloadTooLargeError');
    expect(
      (await request(server).get(versionsUrl).set('Authorization', asUser)).body
        .items,
    ).toEqual([]);
  });

  it('answers 401 without a token and 403 when the policy denies', async () => {
    const open = await start();
    expect(
      (await request(open).post(versionsUrl).send(validBody())).status,
    ).toBe(401);
    const denied = await start(AuthorizeResult.DENY);
    expect(
      (
        await request(denied)
          .post(versionsUrl)
          .set('Authorization', asService)
          .send(validBody())
      ).status,
    ).toBe(403);
    expect(
      (await request(denied).get(versionsUrl).set('Authorization', asUser))
        .status,
    ).toBe(403);
  });

  it('never answers a generated body with a 5xx, and a refused body leaves nothing behind', async () => {
    const server = await start();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // Valid bodies too (a new version, or one already there), or the property would only see refusals.
          fc.integer({ min: 1, max: 60 }).map(n => validBody(`g${n}`)),
          fc.record(
            {
              version: fc.oneof(
                fc.string({ maxLength: 70 }),
                fc.integer(),
                fc.constantFrom('1', '2.0', 'v3'),
              ),
              artifact: fc.oneof(
                fc.anything(),
                fc.record({
                  uri: fc.string(),
                  digest: fc.oneof(fc.string(), fc.constant(digest('b'))),
                }),
              ),
              metrics: fc.oneof(
                fc.anything(),
                fc.dictionary(fc.string({ maxLength: 10 }), fc.double()),
              ),
              training: fc.anything(),
              createdBy: fc.oneof(
                fc.string(),
                fc.constant('user:default/alice'),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        async body => {
          const before = (
            await request(server).get(versionsUrl).set('Authorization', asUser)
          ).body.items.length;
          const res = await request(server)
            .post(versionsUrl)
            .set('Authorization', asService)
            .send(body);
          expect([201, 400, 409]).toContain(res.status);
          const after = (
            await request(server).get(versionsUrl).set('Authorization', asUser)
          ).body.items.length;
          expect(after - before).toBe(res.status === 201 ? 1 : 0);
          if (res.status === 201) accepted++;
        },
      ),
      { numRuns: 120 },
    );
    // The generator does produce valid bodies too, or the property would prove little.
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('CI registration with a scoped external token (real auth and permission services)', () => {
  const start = () =>
    startBackendWithTokens({
      entities,
      tokens: [
        {
          token: 'ci-token-for-tests',
          subject: 'ci',
          permission: 'mlops.version.register',
        },
        {
          token: 'reader-token-for-tests',
          subject: 'grafana',
          permission: 'mlops.model.read',
        },
      ],
    });

  it('lets the CI token register versions and nothing else', async () => {
    const server = await start();
    const ci = 'Bearer ci-token-for-tests';
    const created = await request(server)
      .post(versionsUrl)
      .set('Authorization', ci)
      .send(validBody('7'));
    expect(created.status).toBe(201);
    expect(created.body.creator).toBe('user:default/alice');

    // Reading, even its own version, is not registering.
    expect(
      (await request(server).get(versionsUrl).set('Authorization', ci)).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .get('/api/mlops/models/default/home-feed-ranker/policy')
          .set('Authorization', ci)
      ).status,
    ).toBe(403);

    // A read-only token reads, and cannot register.
    const reader = 'Bearer reader-token-for-tests';
    const list = await request(server)
      .get(versionsUrl)
      .set('Authorization', reader);
    expect(list.status).toBe(200);
    expect(list.body.items.map((v: { version: string }) => v.version)).toEqual([
      '7',
    ]);
    expect(
      (
        await request(server)
          .post(versionsUrl)
          .set('Authorization', reader)
          .send(validBody('8'))
      ).status,
    ).toBe(403);

    // An unknown token is no token.
    expect(
      (
        await request(server)
          .post(versionsUrl)
          .set('Authorization', 'Bearer nope-nope-nope')
          .send(validBody('9'))
      ).status,
    ).toBe(401);
  });
});
