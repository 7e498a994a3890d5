import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { SimulatedTraffic } from '../rollout';
import { RolloutStore } from '../rollout/RolloutStore';
import { TelemetryService } from '../telemetry/TelemetryService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { DEMO_ROLLOUT_EVENTS_PER_MINUTE, DemoTraffic } from './demoTraffic';

const MODEL = 'model:default/related-items-ranker';

/** A telemetry service that keeps what the demo sends. */
function recordingTelemetry() {
  const predictions: any[] = [];
  const outcomes: any[] = [];
  const telemetry = {
    policy: async () => modelPolicySchema.parse({}),
    putReferenceProfile: async () => undefined,
    ingestPredictions: async (body: any) => {
      predictions.push(...body.events.map((e: any) => ({ ...e, source: e.source ?? body.source })));
      return { accepted: body.events.length };
    },
    ingestOutcomes: async (body: any) => {
      outcomes.push(...body.outcomes);
      return { accepted: body.outcomes.length };
    },
  };
  return { telemetry: telemetry as unknown as TelemetryService, predictions, outcomes };
}

async function oneMinute(split: { weight: number; mirrored: boolean }) {
  const { telemetry, predictions, outcomes } = recordingTelemetry();
  const simulated = new SimulatedTraffic();
  await simulated.router(MODEL).apply({ champion: '3', challenger: '4' }, split);
  // Telemetry up to now already stored: no backfill.
  const store = { readSummaries: async () => [{ bucketStart: Date.now() }] } as unknown as TelemetryStore;
  const rollouts = { list: async () => [{ id: 'r1', modelRef: MODEL, version: '4', champion: '3', scaledDown: false, endedAt: null }] } as unknown as RolloutStore;
  const traffic = new DemoTraffic(telemetry, store, mockServices.logger.mock(), { routerFor: () => simulated.router(MODEL), rollouts });
  const now = Date.now();
  await traffic.start(now - 60_000);
  traffic.stop();
  predictions.length = 0;
  outcomes.length = 0;
  await traffic.tick(now);
  return { predictions: predictions.filter(p => p.model === MODEL), outcomes };
}

describe('demo traffic during a rollout', () => {
  it('sends the challenger its share of requests at the rollout rate, and its CTR drop', async () => {
    const { predictions, outcomes } = await oneMinute({ weight: 25, mirrored: false });
    const byVersion = (v: string) => predictions.filter(p => p.version === v);
    expect(predictions).toHaveLength(DEMO_ROLLOUT_EVENTS_PER_MINUTE);
    expect(byVersion('4')).toHaveLength(DEMO_ROLLOUT_EVENTS_PER_MINUTE / 4);
    expect(byVersion('3')).toHaveLength((3 * DEMO_ROLLOUT_EVENTS_PER_MINUTE) / 4);
    const ctr = (v: string) => outcomes.filter(o => byVersion(v).some(p => p.requestId === o.requestId)).length / byVersion(v).length;
    expect(ctr('4') / ctr('3')).toBeLessThan(0.75);
  });

  it('mirrors every champion request to the challenger in shadow, with the same request ids, numbered by the mirror\'s own source', async () => {
    const { predictions } = await oneMinute({ weight: 0, mirrored: true });
    const champion = predictions.filter(p => p.version === '3');
    const mirror = predictions.filter(p => p.version === '4');
    expect(mirror.map(p => p.requestId)).toEqual(champion.map(p => p.requestId));
    expect(new Set(mirror.map(p => p.source)).size).toBe(1);
    expect(mirror[0].source).not.toBe(champion[0].source);
    const mirrored = new Set(mirror.map(p => `${p.source}:${p.sequence}`));
    expect(mirrored.size).toBe(mirror.length);
  });
});
