import express from 'express';
import request from 'supertest';
import { NotFoundError } from '@backstage/errors';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { AnswerCache } from './AnswerCache';

/** An app answering /answer/:key through one cache, at the generation and time the test sets. */
function appWith(compute: (key: string) => Promise<unknown>) {
  const state = { generation: 0, now: 0 };
  const cache = new AnswerCache({ maxEntries: 2, maxAgeMs: 10_000, now: () => state.now });
  const middleware = MiddlewareFactory.create({ config: mockServices.rootConfig(), logger: mockServices.logger.mock() });
  const app = express();
  // The root router's compression, as in the backend: it must leave the cache's gzip alone.
  app.use(middleware.compression());
  app.get('/answer/:key', async (req, res, next) => {
    try {
      await cache.send(req, res, req.params.key, state.generation, () => compute(req.params.key));
    } catch (e) {
      next(e);
    }
  });
  app.use(middleware.error());
  return { app, state };
}

describe('AnswerCache', () => {
  it('computes once for identical requests, including those arriving while it computes', async () => {
    const compute = jest.fn(async (key: string) => {
      await new Promise(r => setTimeout(r, 50));
      return { key, cells: Array.from({ length: 2000 }, (_, i) => ({ i, severity: 'none' })) };
    });
    const { app } = appWith(compute);
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(app).get('/answer/a')));
    expect(compute).toHaveBeenCalledTimes(1);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body.cells).toHaveLength(2000);
    }
    await request(app).get('/answer/a');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('computes again when the generation changes or the answer is older than its maximum age', async () => {
    let calls = 0;
    const { app, state } = appWith(async () => ({ call: ++calls }));
    expect((await request(app).get('/answer/a')).body).toEqual({ call: 1 });
    state.generation = 1;
    expect((await request(app).get('/answer/a')).body).toEqual({ call: 2 });
    state.now = 10_000;
    expect((await request(app).get('/answer/a')).body).toEqual({ call: 2 });
    state.now = 10_001;
    expect((await request(app).get('/answer/a')).body).toEqual({ call: 3 });
    // At most two answers are kept: the least recently used goes.
    await request(app).get('/answer/b');
    await request(app).get('/answer/c');
    expect((await request(app).get('/answer/a')).body).toEqual({ call: 6 });
  });

  it('keeps no failure: the error reaches the client, and the next request computes again', async () => {
    let fail = true;
    const { app } = appWith(async key => {
      if (fail) throw new NotFoundError(`no ${key}`);
      return { key };
    });
    const failed = await request(app).get('/answer/a');
    expect([failed.status, failed.body.error.message]).toEqual([404, 'no a']);
    fail = false;
    expect((await request(app).get('/answer/a')).body).toEqual({ key: 'a' });
  });

  it('sends gzip to clients that accept it, plain JSON to others, and 304 for a matching ETag', async () => {
    const value = { text: 'drift '.repeat(5000) };
    const { app } = appWith(async () => value);
    const zipped = await request(app).get('/answer/a').set('Accept-Encoding', 'gzip');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBeLessThan(JSON.stringify(value).length / 10);
    expect(zipped.body).toEqual(value);
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    const plain = await request(app).get('/answer/a').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.text)).toEqual(value);
    expect(plain.headers.etag).toBe(zipped.headers.etag);
    const unchanged = await request(app).get('/answer/a').set('If-None-Match', zipped.headers.etag);
    expect(unchanged.status).toBe(304);
  });
});
