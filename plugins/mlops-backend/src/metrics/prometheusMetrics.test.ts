import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { budgetBucketLabel } from './predictionLatency';

jest.setTimeout(60_000);

const MODEL = 'model:default/fraud-scorer';
const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'fraud-scorer', namespace: 'default' },
    spec: { type: 'classifier', lifecycle: 'production', owner: 'risk-team', policy: { rollout: { analysis: { maxP99LatencyMs: 45 } } } },
  },
];

/** The exposition's samples: name, labels and value of every line. */
function samples(text: string) {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Prometheus metrics of served predictions', () => {
  it('counts each committed prediction once, in a latency histogram in seconds whose buckets hold exactly the values at or below their bound', async () => {
    const server = await startBackendWithTokens({ entities, tokens: [SERVING_TOKEN, READER_TOKEN] });
    const rand = random(2026);
    const now = Date.now();
    // Log-normal latencies around 20 ms with a tail past a second, some zero, a few failures.
    const latencies = Array.from({ length: 3000 }, (_, i) => (i % 200 === 0 ? 0 : Math.exp(Math.log(20) + 1.1 * Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand()))));
    const events = latencies.map((latencyMs, i) => ({
      model: MODEL,
      version: i < 2000 ? '7' : '8',
      requestId: `r-${i}`,
      sequence: i + 1,
      time: now - 40 * 60_000 + i * 800,
      score: rand(),
      latencyMs,
      error: i % 97 === 0,
      // As an LLM's requests: tokens in and out.
      inputTokens: 100 + (i % 50),
      outputTokens: i % 7,
    }));
    const send = (batchId: string, from: number, to: number) =>
      request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId, source: 'pod-a', events: events.slice(from, to) });
    expect((await send('b1', 0, 1500)).status).toBe(200);
    expect((await send('b1', 0, 1500)).body).toMatchObject({ redelivered: true });
    // A new batch that repeats 500 sequences: only the 1,500 new ones count.
    expect((await send('b2', 1000, 3000)).body).toMatchObject({ accepted: 1500, duplicates: 500 });

    // A version without failures has its error counter at 0 from the start (rate() skips a series' first sample).
    const clean = [{ model: MODEL, version: '9', requestId: 'clean-1', sequence: 1, time: now - 60_000, score: 0.5, latencyMs: 12 }];
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: 'clean', source: 'pod-b', events: clean })).status).toBe(200);

    const text = (await request(server).get('/api/mlops/metrics').set('Authorization', READER)).text;
    expect(text).toContain(`mlops_prediction_errors_total{model="${MODEL}",version="9"} 0`);
    const all = samples(text);
    for (const version of ['7', '8']) {
      const mine = events.filter(e => e.version === version);
      const of = (name: string, extra: Record<string, string> = {}) =>
        all.filter(s => s.name === name && s.labels.model === MODEL && s.labels.version === version && Object.entries(extra).every(([k, v]) => s.labels[k] === v));
      expect(of('mlops_predictions_total').map(s => s.value)).toEqual([mine.length]);
      expect(of('mlops_prediction_errors_total').map(s => s.value)).toEqual([mine.filter(e => e.error).length]);
      expect(of('mlops_llm_tokens_total', { type: 'input' }).map(s => s.value)).toEqual([mine.reduce((a, e) => a + e.inputTokens, 0)]);
      expect(of('mlops_llm_tokens_total', { type: 'output' }).map(s => s.value)).toEqual([mine.reduce((a, e) => a + e.outputTokens, 0)]);
      expect(of('mlops_prediction_latency_seconds_count').map(s => s.value)).toEqual([mine.length]);
      expect(of('mlops_prediction_latency_seconds_sum')[0].value).toBeCloseTo(mine.reduce((a, e) => a + e.latencyMs, 0) / 1000, 6);
      const buckets = of('mlops_prediction_latency_seconds_bucket');
      expect(buckets.length).toBeGreaterThan(15);
      expect(buckets.at(-1)!.labels.le).toBe('+Inf');
      // Each bucket against the raw values (a value within 1e-5 of a bound could fall either side of
      // the label's six digits: none is that close here, checked first).
      for (const b of buckets) {
        const bound = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le) * 1000;
        expect(mine.some(e => Math.abs(e.latencyMs - bound) / bound < 1e-5)).toBe(false); // NaN for +Inf: false
        expect([b.labels.le, b.value]).toEqual([b.labels.le, mine.filter(e => e.latencyMs <= bound).length]);
      }
      // The model's 45 ms budget has a bucket of its own, which the burn-rate rules read.
      expect(buckets.map(b => b.labels.le)).toContain(budgetBucketLabel(45));
      expect(Number(budgetBucketLabel(45))).toBeGreaterThanOrEqual(0.045);
      expect(Number(budgetBucketLabel(45))).toBeLessThan(0.045 * 1.0203);
    }

    // Prometheus' own linter has nothing to say about the exposition.
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
