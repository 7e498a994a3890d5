import fc from 'fast-check';
import request from 'supertest';
import { mkdtempSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { LocalFileUrlReader, MAX_LOCAL_FILE_BYTES, mlopsFileUrlReaderServiceFactory } from './LocalFileUrlReader';
import { locationUrlOf, runbookUrl } from './RunbookService';
import { BUILTIN_RUNBOOKS } from './builtinRunbooks';
import { ALERT_KINDS } from '@modelrails/plugin-mlops-common';

jest.setTimeout(60_000);

/**
 * A catalog folder beside a secret outside it:
 *   <tmp>/secret.md                    outside every allowed directory
 *   <tmp>/catalog/models.yaml          the entity's location
 *   <tmp>/catalog/runbooks/ranker.md   a runbook
 *   <tmp>/catalog/runbooks/escape.md   → ../../secret.md (a symbolic link out)
 *   <tmp>/catalog/linked               → <tmp>/outside (a linked folder)
 *   <tmp>/catalog/other/models.yaml    another entity's folder
 */
function fixture() {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'runbooks-')));
  const catalog = path.join(dir, 'catalog');
  mkdirSync(path.join(catalog, 'runbooks'), { recursive: true });
  mkdirSync(path.join(catalog, 'other'));
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'secret.md'), '# secret\n');
  writeFileSync(path.join(dir, 'outside', 'page.md'), '# outside\n');
  writeFileSync(path.join(catalog, 'models.yaml'), 'kind: Model\n');
  writeFileSync(path.join(catalog, 'other', 'models.yaml'), 'kind: Model\n');
  writeFileSync(path.join(catalog, 'other', 'mine.md'), '# other model\n');
  writeFileSync(path.join(catalog, 'runbooks', 'ranker.md'), '# Ranker runbook\n\nRoll back first.\n');
  writeFileSync(path.join(catalog, 'runbooks', 'huge.md'), 'x'.repeat(MAX_LOCAL_FILE_BYTES + 1));
  symlinkSync('../../secret.md', path.join(catalog, 'runbooks', 'escape.md'));
  symlinkSync(path.join(dir, 'outside'), path.join(catalog, 'linked'));
  return { dir, catalog };
}

describe('LocalFileUrlReader', () => {
  const { dir, catalog } = fixture();
  const reader = new LocalFileUrlReader([catalog]);
  const url = (p: string) => pathToFileURL(p).href;

  it('reads a file inside an allowed directory', async () => {
    const response = await reader.readUrl(url(path.join(catalog, 'runbooks', 'ranker.md')));
    expect((await response.buffer()).toString()).toContain('Roll back first.');
    expect(response.etag).toMatch(/^[0-9a-f]{32}$/);
    await expect(reader.readUrl(url(path.join(catalog, 'runbooks', 'ranker.md')), { etag: response.etag })).rejects.toMatchObject({ name: 'NotModifiedError' });
  });

  it("finds a file as the catalog's url locations search for it: the one file, none when missing, never a pattern", async () => {
    const file = url(path.join(catalog, 'runbooks', 'ranker.md'));
    const found = await reader.search(file);
    expect(found.files.map(f => f.url)).toEqual([file]);
    expect((await found.files[0].content()).toString()).toContain('Roll back first.');
    await expect(reader.search(file, { etag: found.etag })).rejects.toMatchObject({ name: 'NotModifiedError' });
    expect((await reader.search(url(path.join(catalog, 'runbooks', 'missing.md')))).files).toEqual([]);
    await expect(reader.search(url(path.join(catalog, 'runbooks', '*.md')))).rejects.toThrow(/not patterns/);
    await expect(reader.search(url(path.join(dir, 'secret.md')))).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('answers only for file: URLs inside its directories', () => {
    expect(reader.predicate(new URL(url(path.join(catalog, 'runbooks', 'ranker.md'))))).toBe(true);
    expect(reader.predicate(new URL(url(path.join(dir, 'secret.md'))))).toBe(false);
    expect(reader.predicate(new URL(url(`${catalog}-sibling/x.md`)))).toBe(false);
    expect(reader.predicate(new URL('https://example.com/catalog/x.md'))).toBe(false);
  });

  it.each([
    ['a file outside the directories', () => path.join(dir, 'secret.md'), 'NotAllowedError', /outside the directories/],
    ['a symbolic link to a file outside', () => path.join(catalog, 'runbooks', 'escape.md'), 'NotAllowedError', /escape\.md is a symbolic link/],
    ['a file below a linked folder', () => path.join(catalog, 'linked', 'page.md'), 'NotAllowedError', /linked is a symbolic link/],
    ['a missing file', () => path.join(catalog, 'runbooks', 'missing.md'), 'NotFoundError', /no such file/],
    ['a folder', () => path.join(catalog, 'runbooks'), 'NotFoundError', /not a file/],
    ['a file too large for a page', () => path.join(catalog, 'runbooks', 'huge.md'), 'NotAllowedError', /larger than/],
  ])('refuses %s', async (_what, target, name, message) => {
    await expect(reader.readUrl(url(target()))).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
  });
});

describe('runbookUrl', () => {
  const location = 'file:///srv/catalog/models/models.yaml';

  it('resolves a path beside the location', () => {
    expect(runbookUrl(location, 'runbooks/a.md')).toBe('file:///srv/catalog/models/runbooks/a.md');
    expect(runbookUrl('https://github.com/acme/ml/blob/main/models/catalog-info.yaml', 'docs/runbook.md')).toBe(
      'https://github.com/acme/ml/blob/main/models/docs/runbook.md',
    );
  });

  it.each(['../secret.md', '%2e%2e/secret.md', '.%2E/%2e%2E/secret.md', '/etc/passwd.md', '//evil.example/x.md', 'https://evil.example/x.md', 'a.md?x=1', 'a.md#x', 'file:///etc/x.md'])(
    'refuses %s',
    p => {
      expect(() => runbookUrl(location, p)).toThrow(/leaves the folder/);
    },
  );

  it('never resolves a generated path outside the location folder', () => {
    const segment = fc.oneof(fc.constantFrom('..', '.', '%2e%2e', '%2E.', '', 'runbooks', 'a b', '%2f', '\\..', 'é'), fc.string({ maxLength: 6 }));
    const check = () => fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '\\'), (parts, sep) => {
        const p = `${parts.join(sep)}.md`;
        let resolved: string;
        try {
          resolved = runbookUrl(location, p);
        } catch {
          return true;
        }
        return resolved.startsWith('file:///srv/catalog/models/') && !new URL(resolved).pathname.split('/').includes('..');
      }),
      { numRuns: 2000 },
    );
    expect(check).not.toThrow();
  });

  it('turns catalog location refs into URLs', () => {
    expect(locationUrlOf('file:/srv/catalog/models.yaml')).toBe('file:///srv/catalog/models.yaml');
    expect(locationUrlOf('url:https://github.com/acme/ml/blob/main/catalog-info.yaml')).toBe('https://github.com/acme/ml/blob/main/catalog-info.yaml');
    expect(() => locationUrlOf('bitbucket-discovery:https://x')).toThrow(/cannot hold runbooks/);
  });
});

describe('runbook routes (real auth, permissions and URL reader)', () => {
  const { dir, catalog } = fixture();
  const model = (name: string, location: string, runbooks: Array<{ title: string; path: string; alerts?: string[] }>) => ({
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default', annotations: { 'backstage.io/managed-by-location': `file:${location}` } },
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', runbooks },
  });
  const entities = [
    model('ranker', path.join(catalog, 'models.yaml'), [
      { title: 'Ranker: drift and contracts', path: 'runbooks/ranker.md', alerts: ['contract-violation', 'data-drift'] },
      { title: 'Escape by link', path: 'runbooks/escape.md' },
      { title: 'Escape by encoding', path: '%2e%2e/secret.md' },
      { title: 'Missing', path: 'runbooks/missing.md' },
    ]),
    // Its folder is catalog/other: the catalog's other files are not its own.
    model('other', path.join(catalog, 'other', 'models.yaml'), [{ title: 'Mine', path: 'mine.md' }, { title: 'Sibling', path: '%2E%2E/runbooks/ranker.md' }]),
    // Its location is outside every allowed directory.
    model('elsewhere', path.join(dir, 'outside', 'models.yaml'), [{ title: 'Outside', path: 'page.md' }]),
  ];
  let server: Awaited<ReturnType<typeof startBackendWithTokens>>;
  beforeAll(async () => {
    server = await startBackendWithTokens({
      entities,
      tokens: [SERVING_TOKEN, READER_TOKEN],
      mlops: { runbooks: { localDirectories: [catalog] } },
      features: [mlopsFileUrlReaderServiceFactory],
    });
  });
  const get = (p: string, auth = READER) => request(server).get(`/api/mlops/models/default/${p}`).set('Authorization', auth);

  it('lists the model\'s runbooks and the built-ins, and which runbook each alert opens', async () => {
    const list = await get('ranker/runbooks');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => [r.id, r.source])).toEqual([
      ['model-runbooks-ranker', 'model'],
      ['model-runbooks-escape', 'model'],
      ['model-2e-2e-secret', 'model'],
      ['model-runbooks-missing', 'model'],
      ...ALERT_KINDS.map(k => [k, 'builtin']),
    ]);
    expect(list.body.byAlert).toEqual({
      'contract-violation': 'model-runbooks-ranker',
      'data-drift': 'model-runbooks-ranker',
      'latency-regression': 'latency-regression',
      'error-rate': 'error-rate',
      'canary-rollback': 'canary-rollback',
      'feature-store-outage': 'feature-store-outage',
    });
  });

  it('serves the model\'s own Markdown and every built-in', async () => {
    const own = await get('ranker/runbooks/model-runbooks-ranker');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ title: 'Ranker: drift and contracts', source: 'model', location: 'runbooks/ranker.md', markdown: '# Ranker runbook\n\nRoll back first.\n' });
    for (const kind of ALERT_KINDS) {
      const builtin = await get(`ranker/runbooks/${kind}`);
      expect(builtin.status).toBe(200);
      expect(builtin.body).toMatchObject({ id: kind, source: 'builtin', alerts: [kind], markdown: BUILTIN_RUNBOOKS[kind].markdown });
    }
    expect((await get('other/runbooks/model-mine')).body.markdown).toBe('# other model\n');
  });

  it.each([
    ['a symbolic link out of the folder', 'ranker/runbooks/model-runbooks-escape', 403, /symbolic link/],
    ['an encoded ../ out of the folder', 'ranker/runbooks/model-2e-2e-secret', 403, /leaves the folder/],
    ['an encoded ../ into a sibling folder of the catalog', 'other/runbooks/model-2e-2e-runbooks-ranker', 403, /leaves the folder/],
    ['a location outside the allowed directories', 'elsewhere/runbooks/model-page', 403, /not allowed/i],
    ['a missing file', 'ranker/runbooks/model-runbooks-missing', 404, /no such file/],
    ['an unknown runbook', 'ranker/runbooks/nothing-here', 404, /has no runbook "nothing-here"/],
    ['an unknown model', 'nobody/runbooks/data-drift', 404, /No Model entity/],
    ['an id that is not a slug', 'ranker/runbooks/..%2F..%2Fsecret', 400, /id/],
  ])('refuses %s', async (_what, p, status, message) => {
    const response = await get(p);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toMatch(message);
  });

  it('needs the read permission', async () => {
    expect((await request(server).get('/api/mlops/models/default/ranker/runbooks')).status).toBe(401);
    expect((await get('ranker/runbooks', SERVING)).status).toBe(403);
    expect((await get('ranker/runbooks/data-drift', SERVING)).status).toBe(403);
    expect((await get('ranker/live-context', SERVING)).status).toBe(403);
  });

  it('reads the live context of a model without telemetry or rollouts', async () => {
    const context = await get('ranker/live-context');
    expect(context.status).toBe(200);
    expect(context.body).toMatchObject({ modelRef: 'model:default/ranker', alerts: [], rollout: null, topDrifting: [], lastDeploy: null, actions: [] });
  });
});
