import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { RolloutRecord } from '../rollout/RolloutStore';
import { CANARY_ROLLBACK_ALERT_MS } from '../runbooks/LiveContextService';
import { publishServingMetrics } from './servingMetrics';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const rollout = (over: Partial<RolloutRecord>) => ({ id: 'r', modelRef: 'model:default/a', version: '2', champion: '1', stage: 'canary', status: 'running', weight: 10, endedAt: null, ...over }) as RolloutRecord;

async function gauges(metrics: TelemetryMetrics) {
  const all = await metrics.registry.getMetricsAsJSON();
  const of = (name: string) => (all.find(m => m.name === name) as any).values.map((v: any) => [v.labels, v.value]);
  return { weight: of('mlops_rollout_weight_percent'), rolledBack: of('mlops_rollout_rolled_back'), latency: of('mlops_latency_p99_ms') };
}

describe('publishServingMetrics', () => {
  it('publishes each model\'s newest rollout in progress, rollbacks of the last day and p99 latency', async () => {
    const metrics = new TelemetryMetrics();
    const rollouts = [
      rollout({ id: 'a2', modelRef: 'model:default/a', version: '3', weight: 25 }),
      rollout({ id: 'b1', modelRef: 'model:default/b', version: '8', champion: '7', status: 'rolled-back', stage: 'rolled-back', weight: 0, endedAt: NOW - 60_000 }),
      rollout({ id: 'c1', modelRef: 'model:default/c', version: '4', status: 'rolled-back', endedAt: NOW - CANARY_ROLLBACK_ALERT_MS - 1 }),
      rollout({ id: 'd1', modelRef: 'model:default/d', version: '5', status: 'succeeded', stage: 'full', weight: 100, endedAt: NOW - 60_000 }),
    ];
    const asked: Array<[string, number, number]> = [];
    await publishServingMetrics({
      metrics,
      rollouts: { list: async () => rollouts },
      activeModels: async () => ['model:default/a', 'model:default/quiet', 'model:default/broken'],
      latencyP99: async (modelRef, from, to) => {
        asked.push([modelRef, from, to]);
        if (modelRef === 'model:default/broken') throw new Error('catalog down');
        return modelRef === 'model:default/a' ? 42.5 : null;
      },
      now: NOW,
    });
    expect(await gauges(metrics)).toEqual({
      weight: [[{ model: 'model:default/a', version: '3', champion: '1', stage: 'canary' }, 25]],
      rolledBack: [[{ model: 'model:default/b', version: '8' }, 1]],
      latency: [[{ model: 'model:default/a' }, 42.5]],
    });
    expect(asked[0]).toEqual(['model:default/a', NOW - 15 * 60_000, NOW]);

    // The next pass replaces the values: a rollout that ended leaves the weight gauge.
    await publishServingMetrics({ metrics, rollouts: { list: async () => [rollout({ id: 'a2', version: '3', status: 'succeeded', endedAt: NOW })] }, activeModels: async () => [], latencyP99: async () => null, now: NOW });
    expect(await gauges(metrics)).toEqual({ weight: [], rolledBack: [], latency: [] });
  });
});
