import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, Response } from 'express';

const gzipAsync = promisify(gzip);

type Encoded = { body: Buffer; gzipped: Buffer; etag: string };
type Entry = { generation: number; at: number; answer: Promise<Encoded> };

/**
 * JSON answers shared by identical requests: the viewers of one Grafana dashboard ask the same
 * aligned window, so the answer is computed, serialised and compressed once (compression in
 * libuv's thread pool, off the event loop) while the generation it was computed at holds, for
 * at most `maxAgeMs` (commits through other replicas are not seen). Requests arriving while it is
 * computed wait for that one computation. Failures are not kept. The caller checks access first.
 */
export class AnswerCache {
  /** In least-recently-used order. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: { maxEntries: number; maxAgeMs: number; now?: () => number }) {}

  async send(req: Request, res: Response, key: string, generation: number, compute: () => Promise<unknown>) {
    const now = (this.options.now ?? Date.now)();
    let entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry || entry.generation !== generation || now - entry.at > this.options.maxAgeMs) {
      const answer = compute().then(encode);
      const created: Entry = { generation, at: now, answer };
      answer.catch(() => this.entries.get(key) === created && this.entries.delete(key));
      entry = created;
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);

    const { body, gzipped, etag } = await entry.answer;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('ETag', etag);
    res.vary('Accept-Encoding');
    if (req.fresh) {
      res.status(304).end();
    } else if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      // Already compressed: the root router's compression middleware leaves encoded bodies alone.
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', gzipped.length);
      res.end(gzipped);
    } else {
      res.setHeader('Content-Length', body.length);
      res.end(body);
    }
  }
}

async function encode(value: unknown): Promise<Encoded> {
  const body = Buffer.from(JSON.stringify(value));
  return { body, gzipped: await gzipAsync(body), etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
}
