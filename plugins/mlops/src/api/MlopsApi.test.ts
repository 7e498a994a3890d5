import { MlopsClient } from './MlopsApi';

describe('MlopsClient', () => {
  it('asks for a feature distribution over the window it is given, start included', async () => {
    const urls: string[] = [];
    const client = new MlopsClient({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/mlops' },
      fetchApi: {
        fetch: async (url: RequestInfo | URL) => {
          urls.push(String(url));
          return new Response(JSON.stringify({ feature: 'item_price' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
        },
      } as any,
    });
    await client.getFeatureDistribution({ kind: 'model', namespace: 'default', name: 'ranker' }, {
      feature: 'item_price',
      from: '2026-12-03T04:00:00.000Z',
      to: '2026-12-04T04:00:00.000Z',
      version: '17',
    });
    const query = new URL(urls[0]).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      feature: 'item_price',
      from: '2026-12-03T04:00:00.000Z',
      to: '2026-12-04T04:00:00.000Z',
      version: '17',
    });
  });
});
