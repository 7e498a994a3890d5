import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fc from 'fast-check';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { operations, realistic } from '../__testUtils__/requests';

/*
 * Every operation of openapi.yaml, on SQLite and on PostgreSQL, with requests the schema accepts
 * except for one hostile value: a string at its length limit in four-byte characters, a NUL
 * character, a key named like a property every object inherits, an integer past 64 bits, a date
 * that does not exist. The answer is a 2xx or a 4xx whose message says what was wrong, never a
 * 5xx: a sender that retries 5xx must never be stuck retrying its own bad input.
 */

jest.setTimeout(240_000);

/** One hostile value of each kind the issue found, and a few more. */
const hostileString = (maxLength: number | undefined) =>
  fc.oneof(
    fc.constant('\u0000'),
    fc.string({ minLength: 1, maxLength: 8 }).map(s => `${s}\u0000${s}`),
    fc.constantFrom('constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'),
    // At the limit in characters that take four bytes (two UTF-16 units) each, and one past it.
    fc.constant('𝔸'.repeat(maxLength ?? 300)),
    fc.constant('v'.repeat(maxLength ?? 300)),
    fc.constant('v'.repeat((maxLength ?? 3000) + 1)),
    fc.constantFrom('2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '../../etc/passwd', '%2F..%2F', ['javascript', 'alert(1)'].join(':')),
  );
const hostileNumber = fc.constantFrom(2 ** 63, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, -0, 1.5, -1);

type Leaf = { path: Array<string | number>; kind: 'string' | 'number' | 'key' };
function leaves(value: unknown, path: Array<string | number> = []): Leaf[] {
  if (typeof value === 'string') return [{ path, kind: 'string' }];
  if (typeof value === 'number') return [{ path, kind: 'number' }];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ path: [...path, k], kind: 'key' as const }, ...leaves(v, [...path, k])]);
  }
  return [];
}

/** The request with its `pick`-th leaf replaced by a hostile value (a key is renamed). */
function mutate<T>(value: T, pick: number, hostile: { text: string; number: number }): T {
  // Path parameters and the request's own parts keep their names; body and query keys may be renamed.
  const all = leaves(value).filter(leaf => leaf.kind !== 'key' || (leaf.path.length > 1 && leaf.path[0] !== 'path'));
  if (all.length === 0) return value;
  const leaf = all[pick % all.length];
  const copy = structuredClone(value) as any;
  const parent = leaf.path.slice(0, -1).reduce((node: any, key) => node[key], copy);
  const last = leaf.path[leaf.path.length - 1];
  if (leaf.kind === 'key') {
    const kept = parent[last];
    delete parent[last];
    Object.defineProperty(parent, hostile.text, { value: kept, enumerable: true, configurable: true, writable: true });
  } else if (leaf.kind === 'number') {
    parent[last] = hostile.number;
  } else {
    parent[last] = hostile.text;
  }
  return copy;
}

const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    spec: {
      type: 'ranker',
      lifecycle: 'production',
      owner: 'user:default/alice',
      policy: { gates: [{ kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 }], rollout: { traffic: { kind: 'simulated' }, steps: [{ weight: 50 }, { weight: 100 }] } },
    },
  },
];

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('every operation with one hostile value, on %s', databaseId => {
  let server: any;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    ({ server } = await startTestBackend({
      features: [
        mlopsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.database.factory({ knex, migrations: { skip: false } }),
        mockServices.rootConfig.factory({ data: { backend: { baseUrl: 'http://localhost:7007' }, mlops: { judge: { flaggerToken: 'flagger-token' } } } }),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.user('user:default/alice') }),
        ...(process.env.MODELRAILS_FUZZ_DEBUG ? [mockServices.rootLogger.factory({ level: 'error' })] : []),
      ],
    }));
    for (const version of ['17', '18']) {
      const res = await request(server)
        .post('/api/mlops/models/default/home-feed-ranker/versions')
        .set('Authorization', mockCredentials.service.header())
        .send({
          version,
          artifact: { uri: `s3://models/${version}`, digest: `sha256:${version[1].repeat(64)}` },
          metrics: { 'ndcg@20': 0.18 },
          createdBy: 'user:default/carol',
        });
      if (res.status !== 201) throw new Error(`registering version ${version} answered ${res.status}`);
    }
  });

  it.each(operations.map(o => [`${o.method.toUpperCase()} ${o.path} (${o.operationId})`, o] as const))('%s', async (_label, operation) => {
    const pathParams = operation.parameters.filter(p => p.in === 'path');
    const queryParams = operation.parameters.filter(p => p.in === 'query');
    const input = fc.record({
      path: fc.record(Object.fromEntries(pathParams.map(p => [p.name, realistic(p.schema, p.name)]))),
      query: fc.record(Object.fromEntries(queryParams.map(p => [p.name, realistic(p.schema, p.name)])), { requiredKeys: queryParams.filter(p => p.required).map(p => p.name) as never[] }),
      body: operation.body ? realistic(operation.body) : fc.constant(undefined),
    });
    const failures: string[] = [];
    const statuses: string[] = [];
    await fc.assert(
      fc.asyncProperty(input, fc.nat(), hostileString(undefined), hostileNumber, async (clean, pick, text, number) => {
        const sent = mutate(clean, pick, { text, number });
        const url = `/api/mlops${operation.path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String((sent.path as any)[name])))}`;
        let req = (request(server) as any)[operation.method](url).query(sent.query as object);
        if (operation.path.startsWith('/judge/flagger')) req = req.set('Authorization', 'Bearer flagger-token');
        const res = sent.body === undefined ? await req : await req.send(sent.body);
        if (res.status >= 500 || (res.status === 400 && !res.body?.error?.message)) {
          failures.push(`${res.status} ${operation.method.toUpperCase()} ${url} ${JSON.stringify(sent.query)} ${JSON.stringify(sent.body)?.slice(0, 300)} → ${JSON.stringify(res.body?.error ?? res.text).slice(0, 300)}`);
        }
        if (process.env.MODELRAILS_FUZZ_DEBUG) statuses.push(`${res.status} ${res.status >= 400 ? res.body?.error?.message?.slice(0, 120) : ''}`);
        return true;
      }),
      { numRuns: Number(process.env.MODELRAILS_FUZZ_RUNS ?? 40) },
    );
    // eslint-disable-next-line no-console
    if (process.env.MODELRAILS_FUZZ_DEBUG) console.log(operation.operationId, statuses.sort().join('\n'));
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
