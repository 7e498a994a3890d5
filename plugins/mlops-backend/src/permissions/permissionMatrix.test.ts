import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { AuthService, BackstageCredentials, coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { operations, realistic } from '../__testUtils__/requests';
import { ModelRailsPermissionPolicy } from './ModelRailsPermissionPolicy';

/*
 * Every operation of openapi.yaml called by every kind of caller the portal has, through the
 * plugin's permission policy and Backstage's own httpAuth, permissions client and permission
 * backend. The expected outcome of each pair is the table in the package README: a route cannot be
 * added without a row there, and the table cannot drift from what the backend does.
 */

jest.setTimeout(180_000);

/** The callers, as the README's table names its columns. */
const STATIC_TOKENS = {
  ci: { token: 'ci-token', permission: 'mlops.version.register' },
  serving: { token: 'serving-token', permission: 'mlops.telemetry.ingest' },
  grafana: { token: 'grafana-token', permission: 'mlops.model.read' },
} as const;
const USERS = {
  owner: { ref: 'user:default/hana', groups: ['group:default/retrieval-team'] },
  'non-owner': { ref: 'user:default/bob', groups: ['group:default/ranking-team'] },
  platform: { ref: 'user:default/carol', groups: ['group:default/ml-platform'] },
} as const;
const IDENTITIES = ['no token', 'bad token', 'ci', 'serving', 'grafana', 'owner', 'non-owner', 'platform'] as const;
type Identity = (typeof IDENTITIES)[number];

function authorization(identity: Identity): string | undefined {
  if (identity === 'no token') return undefined;
  if (identity === 'bad token') return 'Bearer not-a-token';
  if (identity in STATIC_TOKENS) return `Bearer ${STATIC_TOKENS[identity as keyof typeof STATIC_TOKENS].token}`;
  return `Bearer test-user:${USERS[identity as keyof typeof USERS].ref}`;
}

/**
 * The auth service with the shapes Backstage's own gives: static tokens as service principals
 * restricted to their permission (as `backend.auth.externalAccess` makes them, and refused
 * delegation the same way), user tokens carrying the user's ref, plugin tokens between plugins.
 */
const testAuth = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const pluginId = plugin.getId();
    return {
      async authenticate(token) {
        if (token.startsWith('test-user:')) return mockCredentials.user(token.slice('test-user:'.length));
        // A user's request forwarded by a plugin: the user, with the plugin as the actor.
        if (token.startsWith('test-obo:')) {
          const [, actor, ...ref] = token.split(':');
          return mockCredentials.user(ref.join(':'), { actor: { subject: `plugin:${actor}` } });
        }
        if (token.startsWith('test-plugin:')) return mockCredentials.service(`plugin:${token.slice('test-plugin:'.length)}`);
        const external = Object.entries(STATIC_TOKENS).find(([, t]) => t.token === token);
        if (external) return mockCredentials.service(`external:${external[0]}`, { permissionNames: [external[1].permission] });
        throw new AuthenticationError('Illegal token');
      },
      isPrincipal: ((credentials: BackstageCredentials, type: string) => type === 'unknown' || (credentials.principal as { type: string }).type === type) as AuthService['isPrincipal'],
      getNoneCredentials: async () => mockCredentials.none(),
      getOwnServiceCredentials: async () => mockCredentials.service(`plugin:${pluginId}`),
      async getPluginRequestToken({ onBehalfOf, targetPluginId }) {
        const principal = onBehalfOf.principal as { type: string; userEntityRef?: string; accessRestrictions?: unknown };
        if (principal.type === 'user') return { token: `test-obo:${pluginId}:${principal.userEntityRef}` };
        if (principal.accessRestrictions) throw new NotAllowedError(`Access to target plugin '${targetPluginId}' is restricted and cannot be delegated`);
        return { token: `test-plugin:${pluginId}` };
      },
      getLimitedUserToken: async credentials => ({ token: `test-user:${(credentials.principal as { userEntityRef: string }).userEntityRef}`, expiresAt: new Date(Date.now() + 3600_000) }),
      listPublicServiceKeys: async () => ({ keys: [] }),
    };
  },
});

/** Each user's ownership claims: the user and their groups, as the catalog would resolve them. */
const testUserInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const ref = (credentials.principal as { userEntityRef: string }).userEntityRef;
      const user = Object.values(USERS).find(u => u.ref === ref);
      return { userEntityRef: ref, ownershipEntityRefs: [ref, ...(user?.groups ?? [])] };
    },
  }),
});

const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'modelrails-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new ModelRailsPermissionPolicy(['group:default/ml-platform']));
      },
    });
  },
});

const entities = [
  // The people, so the creator CI names is a verified one.
  ...['hana', 'bob', 'carol', 'erin'].map(name => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name, namespace: 'default' }, spec: {} })),
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    // As the catalog serves it: the owner also as an ownedBy relation, which IS_MODEL_OWNER reads.
    relations: [{ type: 'ownedBy', targetRef: 'group:default/retrieval-team' }],
    spec: { type: 'ranker', lifecycle: 'production', owner: 'group:default/retrieval-team', policy: { rollout: { traffic: { kind: 'simulated' }, steps: [{ weight: 50 }, { weight: 100 }] } } },
  },
];

/** The README's table: operationId → the outcome for each identity (`allowed`, `401` or `403`). */
function expectedTable(): Map<string, Record<Identity, string>> {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- permission-matrix -->'), readme.indexOf('<!-- /permission-matrix -->'));
  const rows = section.split('\n').filter(line => line.startsWith('| `'));
  return new Map(
    rows.map(line => {
      const cells = line.split('|').slice(1, -1).map(c => c.trim());
      const outcomes = cells.slice(1).map(c => (c === '✓' ? 'allowed' : c));
      return [cells[0].replace(/`/g, ''), Object.fromEntries(IDENTITIES.map((id, i) => [id, outcomes[i]])) as Record<Identity, string>];
    }),
  );
}

describe('the route × identity permission matrix', () => {
  it('has a README row for every operation, and the backend answers as the row says', async () => {
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        catalogServiceMock.factory({ entities }),
        testAuth,
        testUserInfo,
        httpAuthServiceFactory,
        permissionsServiceFactory,
        permissionBackend,
        policyModule,
        mockServices.rootConfig.factory({ data: { backend: { baseUrl: 'http://localhost:7007' }, permission: { enabled: true }, mlops: { judge: { flaggerToken: 'flagger-token' } } } }),
      ],
    });
    const send = (method: string, url: string, identity: Identity, body?: unknown, query?: object) => {
      let req = (request(server) as any)[method](url).query(query ?? {});
      const header = authorization(identity);
      if (header) req = req.set('Authorization', header);
      return body === undefined ? req : req.send(body);
    };
    // Two versions, a pending promotion and a rollout for the routes that act on them.
    for (const version of ['17', '18']) {
      const res = await send('post', '/api/mlops/models/default/home-feed-ranker/versions', 'ci', {
        version,
        artifact: { uri: `s3://models/${version}`, digest: `sha256:${version[1].repeat(64)}` },
        createdBy: 'user:default/erin',
      });
      expect(res.status).toBe(201);
    }

    const table = expectedTable();

    const observed: string[] = [];
    const expected: string[] = [];
    const rows: string[] = [];
    for (const operation of operations) {
      const sample = (arbitrary: fc.Arbitrary<unknown>) => fc.sample(arbitrary, { numRuns: 1, seed: 42 })[0];
      const params: Record<string, string> = Object.fromEntries(operation.parameters.filter(p => p.in === 'path').map(p => [p.name, String(sample(realistic(p.schema, p.name)))]));
      const query = Object.fromEntries(operation.parameters.filter(p => p.in === 'query' && p.required).map(p => [p.name, sample(realistic(p.schema, p.name))]));
      const body = operation.body ? sample(realistic(operation.body)) : undefined;
      const cells: string[] = [];
      for (const identity of IDENTITIES) {
        // Each caller acts on a pending promotion and a rollout of its own, so one decision does not hide the next.
        if ('id' in params) params.id = await targetFor(operation.path, send);
        const url = `/api/mlops${operation.path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]))}`;
        const res = await send(operation.method, url, identity, body, query);
        const outcome = res.status === 401 || res.status === 403 ? String(res.status) : 'allowed';
        observed.push(`${operation.operationId} ${identity}: ${outcome}${outcome === 'allowed' ? ` (${res.status})` : ''}`);
        expected.push(`${operation.operationId} ${identity}: ${table.get(operation.operationId)?.[identity]}${outcome === 'allowed' ? ` (${res.status})` : ''}`);
        cells.push(outcome === 'allowed' ? '✓' : outcome);
      }
      rows.push(`| \`${operation.operationId}\` | ${cells.join(' | ')} |`);
    }
    // MODELRAILS_PRINT_MATRIX=1 prints the rows the backend gives, for the README.
    // eslint-disable-next-line no-console
    if (process.env.MODELRAILS_PRINT_MATRIX) console.log(rows.join('\n'));
    expect(operations.map(o => o.operationId).filter(id => !table.has(id))).toEqual([]);
    expect([...table.keys()].filter(id => !operations.some(o => o.operationId === id))).toEqual([]);
    expect(observed).toEqual(expected);
  });
});

let promotions = 0;
let rollout: string | undefined;
/**
 * A fresh pending promotion (requested by someone who may not decide it, so the requester's own
 * refusal does not hide the permission's) or the rollout that approving version 18 to production started.
 */
async function targetFor(path: string, send: (method: string, url: string, identity: Identity, body?: unknown) => any): Promise<string> {
  const requestPromotion = async (environment: string) => {
    const res = await send('post', '/api/mlops/models/default/home-feed-ranker/versions/18/promotions', 'non-owner', { environment, reason: 'matrix' });
    if (res.status !== 201) throw new Error(`requesting a promotion answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  if (path.startsWith('/promotions/')) return requestPromotion(`staging-${++promotions}`);
  if (!rollout) {
    const approved = await send('post', `/api/mlops/promotions/${await requestPromotion('production')}/approve`, 'owner', { reason: 'matrix' });
    if (approved.status !== 200) throw new Error(`approving answered ${approved.status}: ${JSON.stringify(approved.body)}`);
    const list = await send('get', '/api/mlops/models/default/home-feed-ranker/rollouts', 'grafana');
    rollout = list.body.items?.[0]?.id;
    if (!rollout) throw new Error(`no rollout started: ${JSON.stringify(list.body)}`);
  }
  return rollout;
}
