import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TechdocsGenerator } from '@backstage/plugin-techdocs-node';
import { ModelVersionList, modelPolicySchema, describePolicy } from '@modelrails/plugin-mlops-common';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { mlopsFileUrlReaderServiceFactory } from '../runbooks/LocalFileUrlReader';
import { ModelCardUrlReader } from './ModelCardUrlReader';
import { notesSections, renderModelCard } from './renderModelCard';

jest.setTimeout(120_000);

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const NOTES = `# Home feed ranker

Text before the first section is not the card's.

## Intended use

Ranks about 300 candidates per home-feed request for signed-in users.

\`\`\`yaml
## not a heading: inside a code block
kind: example
\`\`\`

## Ethical considerations

Popularity feedback loops: new items are boosted for their first day.
`;

const version = (v: string, metrics: Record<string, number>) => ({
  version: v,
  artifact: { uri: `s3://models/home-feed-ranker/${v}/model.txt`, digest: `sha256:${createHash('sha256').update(v).digest('hex')}` },
  codeCommit: `3f2c1a9e${v}`,
  hyperparameters: { learning_rate: 0.05, objective: 'lambdarank' },
  metrics,
  training: {
    run: { id: `train-${v}`, url: `https://ci.example.com/runs/${v}` },
    datasets: [
      { ref: 'clickstream-events', version: '2026-11-01', digest: digest('1') },
      { ref: 'resource:default/orders', version: '2026-11-02', digest: digest('2') },
    ],
  },
  featureSets: [{ ref: 'resource:default/user-features', version: 'v7' }],
  createdBy: 'user:default/alice',
});

/** The cells of each Markdown table row, split on `|` that is not escaped. */
const rowsOf = (markdown: string) =>
  markdown
    .split('\n')
    .filter(l => l.startsWith('| '))
    .map(l => l.slice(2, -2).split(/(?<!\\) \| /));

describe('model cards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-model-card-'));
  writeFileSync(join(dir, 'model-card.md'), NOTES);
  const entities = [
    {
      apiVersion: 'modelrails.io/v1alpha1',
      kind: 'Model',
      metadata: {
        name: 'home-feed-ranker',
        namespace: 'default',
        title: 'Home feed ranker',
        description: 'Ranks the home feed.',
        annotations: { 'backstage.io/managed-by-location': `file:${join(dir, 'catalog-info.yaml')}`, 'modelrails.io/model-card': 'model-card.md' },
      },
      spec: {
        type: 'ranker',
        lifecycle: 'production',
        owner: 'ranking-team',
        system: 'recommendations',
        servedBy: 'home-feed-service',
        policy: { gates: [{ kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 }] },
      },
    },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'alice', namespace: 'default' }, spec: {} },
  ];
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const asUser = mockCredentials.user.header('user:default/bob');
  const asService = mockCredentials.service.header();
  const card = async () => request(server).get('/api/mlops/models/default/home-feed-ranker/model-card').set('Authorization', asUser);

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        mlopsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
        mlopsFileUrlReaderServiceFactory,
        mockServices.rootConfig.factory({ data: { mlops: { runbooks: { localDirectories: [dir] } } } }),
      ],
    }));
    for (const v of [version('12', { 'ndcg@20': 0.181, auc: 0.81 }), version('13', { 'ndcg@20': 0.186, 'ndcg@20[platform=ios]': 0.19, 'ndcg@20[platform=android]': 0.179, auc: 0.812 })]) {
      const created = await request(server).post('/api/mlops/models/default/home-feed-ranker/versions').set('Authorization', asService).send(v);
      if (created.status !== 201) throw new Error(`registering v${v.version}: ${created.status} ${created.body.error?.message}`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the registry's record, the gates, the policy and the team's sections, in the card's order", async () => {
    const res = await card();
    expect(res.status).toBe(200);
    const { markdown, etag, title } = res.body;
    expect(title).toBe('Home feed ranker');
    expect(etag).toBe(createHash('sha256').update(markdown).digest('hex'));
    let fenced = false;
    const headings = markdown.split('\n').filter((l: string) => {
      if (l.startsWith('```')) fenced = !fenced;
      return !fenced && /^## /.test(l);
    });
    expect(headings).toEqual([
      '## Model details',
      '## Intended use',
      '## Training data and lineage',
      '## Evaluation',
      '## In production',
      '## Limitations',
      '## Ethical considerations',
      '## Versions',
      '## Policy',
      '## Regulatory documentation',
    ]);
    // No champion yet: the newest version is described, with the data it was trained on.
    expect(markdown).toContain('- **Version described:** v13 (newest; no champion yet)');
    expect(markdown).toContain('- **Served by:** home-feed-service');
    expect(markdown).not.toContain('Catalog AI model');
    const rows = rowsOf(markdown);
    expect(rows.filter(r => r.length === 3 && /^\d{4}-/.test(r[1]))).toEqual([
      ['clickstream-events', '2026-11-01', `\`sha256:111111111111…\``],
      ['orders', '2026-11-02', `\`sha256:222222222222…\``],
    ]);
    expect(rows).toContainEqual(['user-features', 'v7']);
    // Metrics per slice, as the training job reported them.
    expect(rows.filter(r => r[0] === 'ndcg@20' || r[0] === 'auc').map(r => r.slice(0, 3))).toEqual([
      ['auc', 'all', '0.812'],
      ['ndcg@20', 'all', '0.186'],
      ['ndcg@20', 'platform=android', '0.179'],
      ['ndcg@20', 'platform=ios', '0.19'],
    ]);
    expect(markdown).toContain('| metric-floor | ndcg@20 ≥ 0.17 | 0.186 | pass |');
    // The team's sections verbatim (a code block's "##" line is not a section); a missing one says how to add it.
    expect(markdown).toContain('Ranks about 300 candidates per home-feed request for signed-in users.\n\n```yaml\n## not a heading: inside a code block');
    expect(markdown).not.toContain('Text before the first section');
    expect(markdown).toContain('> Not written yet: where the model is known to be wrong or weak');
    expect(markdown).toContain('add a `## Limitations` section to `model-card.md`');
    // Both versions, and the policy in words as the portal states it.
    expect(rows.filter(r => /^v1[23]$/.test(r[0])).map(r => [r[0], r[2], r[3]])).toEqual([
      ['v13', 'user:default/alice', 'passed'],
      ['v12', 'user:default/alice', 'passed'],
    ]);
    expect(markdown).toContain('### Validation gates');
    expect(markdown).toContain('No production traffic was recorded in the last 30 whole days.');

    // The same card twice has the same digest; a new version changes it.
    expect((await card()).body.etag).toBe(etag);
    await request(server).post('/api/mlops/models/default/home-feed-ranker/versions').set('Authorization', asService).send(version('14', { 'ndcg@20': 0.187 }));
    expect((await card()).body.etag).not.toBe(etag);
    expect((await request(server).get('/api/mlops/models/default/no-such-model/model-card').set('Authorization', asUser)).status).toBe(404);

    // Yesterday's traffic: 200 predictions of v13, two of them failures, against the 0.5 % error SLO.
    const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 12 * 3_600_000;
    const events = Array.from({ length: 200 }, (_, i) => ({
      model: 'model:default/home-feed-ranker',
      version: '13',
      requestId: `r${i}`,
      sequence: i,
      time: yesterday + i * 1000,
      score: 0.5,
      latencyMs: 10 + (i % 20),
      error: i < 2,
    }));
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', asService).send({ batchId: 'yesterday', source: 'pod', events })).status).toBe(200);
    const withTraffic = (await card()).body.markdown as string;
    expect(withTraffic).toMatch(/The 30 whole days \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(UTC\), all traffic; served by v13\./);
    // (Values as the portal formats them, with no-break spaces before units.)
    expect(rowsOf(withTraffic.replace(/\u00a0/g, ' '))).toContainEqual(['Error rate', '1.00 %', '≤ 0.5 %: **out of SLO**']);
  });

  it('keeps every table whole whatever the names and values hold', () => {
    const policy = describePolicy(modelPolicySchema.parse({}));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.double({ noNaN: true }), { maxKeys: 6 }), fc.string({ maxLength: 20 }), (metrics, creator) => {
        const versions: ModelVersionList = {
          modelRef: 'model:default/x',
          items: [
            {
              modelRef: 'model:default/x',
              version: '1',
              artifact: { uri: 's3://x|y', digest: digest('a') },
              hyperparameters: { 'a|b': 'c\nd' },
              metrics,
              training: { datasets: [] },
              featureSets: [],
              creator,
              creatorVerified: true,
              source: 'ci',
              createdAt: '2026-11-01T00:00:00Z',
              reproducible: false,
              aliases: [],
              deployments: [],
            },
          ],
        } as unknown as ModelVersionList;
        const markdown = renderModelCard({ modelRef: 'model:default/x', title: 'X', type: 'ranker', lifecycle: 'production', owner: 'group:default/t', versions, policy });
        const lines = markdown.split('\n');
        // Each table's rows have its header's number of cells.
        for (let i = 0; i < lines.length; i++) {
          if (!lines[i].startsWith('| ') || (i > 0 && lines[i - 1].startsWith('| '))) continue;
          const width = rowsOf(lines[i])[0].length;
          for (let j = i; j < lines.length && lines[j].startsWith('| '); j++) expect(rowsOf(lines[j])[0]).toHaveLength(width);
        }
        expect(markdown).toContain('it is **not reproducible**');
      }),
      { numRuns: 200 },
    );
  });

  it('reads notes sections by level-2 heading only, never inside fenced code', () => {
    expect(notesSections('## A\none\n### A.1\ntwo\n~~~\n## B\n~~~\n## C ##\nthree').map(s => s.heading)).toEqual(['A', 'C']);
  });

  it("builds through TechDocs' own generator (mkdocs with techdocs-core) from what the reader serves", async () => {
    const { port } = server.address() as AddressInfo;
    const reader = new ModelCardUrlReader({
      discovery: { getBaseUrl: async () => `http://localhost:${port}/api/mlops`, getExternalBaseUrl: async () => '' },
      auth: { getOwnServiceCredentials: async () => mockCredentials.service(), getPluginRequestToken: async () => ({ token: asService.slice('Bearer '.length) }) } as any,
    });
    const url = 'modelrails://model-card/default/home-feed-ranker';
    expect(reader.predicate(new URL(url))).toBe(true);
    expect(reader.predicate(new URL('https://example.com/x'))).toBe(false);
    const tree = await reader.readTree(url);
    expect(tree.etag).toBe((await card()).body.etag);
    await expect(reader.readTree(url, { etag: tree.etag })).rejects.toMatchObject({ name: 'NotModifiedError' });
    await expect(reader.readTree('modelrails://model-card/default')).rejects.toThrow(/not a model card URL/);
    await expect(reader.readTree('modelrails://model-card/default/no-such-model')).rejects.toMatchObject({ name: 'ResponseError' });

    const inputDir = await tree.dir();
    const outputDir = mkdtempSync(join(tmpdir(), 'modelrails-techdocs-out-'));
    const logger = mockServices.logger.mock() as any;
    const generator = TechdocsGenerator.fromConfig(mockServices.rootConfig({ data: { techdocs: { generator: { runIn: 'local' } } } }), { logger: mockServices.logger.mock() });
    // The pinned mkdocs of .tools/python, which npm test puts on PATH (scripts/mr.mjs).
    await generator.run({ inputDir, outputDir, parsedLocationAnnotation: { type: 'url', target: url }, etag: tree.etag, logger, siteOptions: { name: 'Home feed ranker' } });
    const html = readFileSync(join(outputDir, 'index.html'), 'utf8');
    expect(html).toContain('Home feed ranker: model card');
    expect(html).toMatch(/<h2 id="training-data-and-lineage">Training data and lineage/);
    expect(html).toMatch(/<td>clickstream-events<\/td>/);
    expect(JSON.parse(readFileSync(join(outputDir, 'techdocs_metadata.json'), 'utf8'))).toMatchObject({ etag: tree.etag, site_name: 'Home feed ranker: model card' });
    expect(existsSync(join(outputDir, 'search', 'search_index.json'))).toBe(true);
    rmSync(outputDir, { recursive: true, force: true });
  });
});
