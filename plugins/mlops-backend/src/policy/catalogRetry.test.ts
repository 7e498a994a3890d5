import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { isTransientCatalogError, withCatalogRetry } from './catalogRetry';
import { catalogPolicyLookup, LAST_KNOWN_POLICY_MS, POLICY_READ_MS } from './PolicyLookup';

const reset = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
const model = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'ranker', namespace: 'default' },
  spec: { type: 'ranker', lifecycle: 'production', owner: 'team-a', policy: { rollout: { analysis: { maxP99LatencyMs: 70 } } } },
};

/** The mock catalog, failing the next `failures` reads the way a reset connection fails them. */
function flakyCatalog() {
  const catalog = catalogServiceMock({ entities: [model] });
  const state = { failures: 0, reads: 0 };
  const read = catalog.getEntityByRef.bind(catalog);
  catalog.getEntityByRef = (async (...args: Parameters<typeof read>) => {
    state.reads++;
    if (state.failures > 0) {
      state.failures--;
      throw reset();
    }
    return read(...args);
  }) as typeof read;
  return { catalog, state };
}

describe('catalog reads under load', () => {
  it('tells a failure on the way from an answer', () => {
    expect(isTransientCatalogError(reset())).toBe(true);
    expect(isTransientCatalogError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientCatalogError({ name: 'ResponseError', message: 'Request failed with 503', response: { status: 503 } })).toBe(true);
    expect(isTransientCatalogError({ name: 'ResponseError', message: 'Request failed with 404', response: { status: 404 } })).toBe(false);
    expect(isTransientCatalogError(new NotFoundError('No Model entity'))).toBe(false);
    expect(isTransientCatalogError(new Error('Model entity is not valid'))).toBe(false);
  });

  it('retries a read twice, and never an answer', async () => {
    let calls = 0;
    const sleep = async () => undefined;
    await expect(withCatalogRetry(async () => (++calls < 3 ? Promise.reject(reset()) : 'ok'), sleep)).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    const failing = async (error: Error) => {
      calls++;
      throw error;
    };
    await expect(withCatalogRetry(() => failing(reset()), sleep)).rejects.toThrow('fetch failed');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withCatalogRetry(() => failing(new NotFoundError('gone')), sleep)).rejects.toThrow('gone');
    expect(calls).toBe(1);
  });

  it("answers a Model's policy through resets, and its last known policy while the catalog stays unreachable", async () => {
    const { catalog, state } = flakyCatalog();
    let time = 1_000_000;
    const logger = mockServices.logger.mock();
    const lookup = catalogPolicyLookup(catalog, mockServices.auth(), () => time, logger);

    state.failures = 2;
    expect((await lookup('model:default/ranker'))?.rollout.analysis.maxP99LatencyMs).toBe(70);
    expect(state.reads).toBe(3);

    // Later the catalog is down for good: the policy read before is answered, and said so.
    time += POLICY_READ_MS + 1;
    state.failures = 100;
    expect((await lookup('model:default/ranker'))?.rollout.analysis.maxP99LatencyMs).toBe(70);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('Catalog unreachable for model:default/ranker'));
    // Not forever, and never for a Model it never read.
    time += LAST_KNOWN_POLICY_MS + 1;
    await expect(lookup('model:default/ranker')).rejects.toThrow('fetch failed');
    await expect(lookup('model:default/other')).rejects.toThrow('fetch failed');
    // A Model the catalog does not know is undefined, at once.
    state.failures = 0;
    state.reads = 0;
    expect(await lookup('model:default/missing')).toBeUndefined();
    expect(state.reads).toBe(1);
  });
});
