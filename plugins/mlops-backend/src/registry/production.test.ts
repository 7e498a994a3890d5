import { ModelVersion } from '@modelrails/plugin-mlops-common';
import { handOverProductionTraffic, productionStory } from './production';

const version = (v: string, aliases: string[], deployments: Array<[string, string, number]>) =>
  ({
    version: v,
    aliases,
    deployments: deployments.map(([environment, cluster, trafficWeight]) => ({ environment, cluster, namespace: 'ml', trafficWeight, updatedAt: '2026-11-01T00:00:00Z' })),
  }) as unknown as ModelVersion;

describe('productionStory', () => {
  it('tells the champion and what serves together when they agree', () => {
    expect(productionStory([version('17', ['champion'], [['production', 'prod-eu-1', 100], ['production', 'prod-us-1', 100], ['staging', 'staging', 100]])])).toEqual({
      champion: '17',
      servingVersion: '17',
      serving: [
        { version: '17', cluster: 'prod-eu-1', namespace: 'ml', trafficWeight: 100 },
        { version: '17', cluster: 'prod-us-1', namespace: 'ml', trafficWeight: 100 },
      ],
      awaitingDeployment: false,
    });
  });

  it('says the champion awaits deployment when it gets no production traffic and the previous one does', () => {
    const story = productionStory([version('18', ['champion'], []), version('17', ['standby'], [['production', 'prod-eu-1', 100], ['production', 'prod-us-1', 100]])]);
    expect(story).toMatchObject({ champion: '18', servingVersion: '17', awaitingDeployment: true });
  });

  it('is not awaiting during a canary (both serve) nor with nothing deployed anywhere', () => {
    expect(productionStory([version('18', ['challenger'], [['production', 'prod-eu-1', 20]]), version('17', ['champion'], [['production', 'prod-eu-1', 80]])])).toMatchObject({
      champion: '17',
      servingVersion: '17',
      awaitingDeployment: false,
    });
    expect(productionStory([version('18', ['champion'], [['staging', 'staging', 100]])])).toEqual({ champion: '18', servingVersion: null, serving: [], awaitingDeployment: false });
  });

  it('sums a version\'s traffic over clusters to find what serves most', () => {
    const story = productionStory([version('2', [], [['production', 'a', 90], ['production', 'b', 100]]), version('1', [], [['production', 'c', 100]])]);
    expect(story.servingVersion).toBe('2');
    expect(story.serving.map(s => s.cluster)).toEqual(['b', 'c', 'a']);
  });
});

describe('handOverProductionTraffic', () => {
  it('moves each production deployment with traffic from one version to the other, and nothing else, once', async () => {
    const versions = new Map([
      ['12', version('12', ['champion'], [['production', 'prod-eu-1', 100], ['production', 'prod-us-1', 100], ['staging', 'staging', 100]])],
      ['13', version('13', ['challenger'], [])],
    ]);
    const calls: string[] = [];
    const registry = {
      getVersion: async (_model: string, v: string) => versions.get(v),
      setDeployment: async (_model: string, v: string, d: { environment: string; cluster: string; namespace: string; trafficWeight: number }) => {
        calls.push(`${v} ${d.environment}/${d.cluster} ${d.trafficWeight}`);
        const held = versions.get(v)!;
        const others = held.deployments.filter(x => !(x.environment === d.environment && x.cluster === d.cluster));
        versions.set(v, { ...held, deployments: [...others, { ...d, updatedAt: '' }] });
      },
    };
    await handOverProductionTraffic(registry, 'model:default/m', '12', '13', 'plugin:mlops:rollout-engine');
    expect(calls).toEqual(['13 production/prod-eu-1 100', '12 production/prod-eu-1 0', '13 production/prod-us-1 100', '12 production/prod-us-1 0']);
    versions.set('13', { ...versions.get('13')!, aliases: ['champion'] });
    versions.set('12', { ...versions.get('12')!, aliases: ['standby'] });
    expect(productionStory([...versions.values()])).toMatchObject({ champion: '13', servingVersion: '13', awaitingDeployment: false });
    calls.length = 0;
    await handOverProductionTraffic(registry, 'model:default/m', '12', '13', 'plugin:mlops:rollout-engine');
    expect(calls).toEqual([]);
  });
});
