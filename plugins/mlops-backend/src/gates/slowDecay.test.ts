import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { DefaultGateService } from './GateService';

jest.setTimeout(60_000);
const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';

// The home feed ranker's gates, as in catalog/models.yaml.
const policy = modelPolicySchema.parse({
  gates: [
    { kind: 'champion-relative', metric: 'ndcg@20', maxRelativeDrop: 0.02 },
    { kind: 'baseline-relative', metric: 'ndcg@20', maxRelativeDrop: 0.1, window: 8 },
  ],
});

describe.each(databases.eachSupportedId())('the field report’s slow decay on %s', databaseId => {
  it('passes each step against the champion, and the baseline gate fails once the decline passes 10 %', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const registry = new DatabaseRegistryStore(knex, new DatabaseModelRailsStore(knex));
    const gates = new DefaultGateService(registry, async () => policy);

    // Weekly versions, each about 1.6 % below the previous champion: 0.186 → 0.171 and on.
    const steps: Array<{ ndcg: number; champion: string; baseline: string }> = [];
    let ndcg = 0.186;
    for (let week = 1; week <= 12; week++) {
      const version = String(week);
      await registry.registerVersion(
        {
          modelRef: MODEL,
          version,
          artifact: { uri: `s3://m/${week}`, digest: `sha256:${String(week).padStart(64, '0')}` },
          hyperparameters: {},
          metrics: { 'ndcg@20': Number(ndcg.toFixed(4)) },
          datasets: [],
          featureSets: [],
          creator: 'user:default/alice',
          source: 'ci',
          createdAt: new Date(Date.UTC(2026, 8, 1) + week * 7 * 86_400_000),
        },
        'service:ci',
      );
      const summary = await gates.evaluate(MODEL, version, 'registration', 'plugin:mlops');
      const [championGate, baselineGate] = summary.results;
      steps.push({ ndcg: Number(ndcg.toFixed(4)), champion: championGate.status, baseline: baselineGate.status });
      if (!summary.passed) {
        break; // the decay is caught: this version is not promoted
      }
      await registry.setAlias(MODEL, 'champion', version, 'user:default/bob');
      ndcg *= 0.984;
    }

    // The champion-relative gate never notices: every step is within 2 % of the one before.
    expect(steps.every(s => s.champion === 'pass')).toBe(true);
    // The baseline gate passes while the decline from the best (0.186) is at most 10 %, including
    // the report's 0.171, and fails from the first version beyond.
    for (const s of steps) {
      const decline = (0.186 - s.ndcg) / 0.186;
      expect({ ndcg: s.ndcg, baseline: s.baseline }).toEqual({ ndcg: s.ndcg, baseline: decline > 0.1 ? 'fail' : 'pass' });
    }
    expect(steps.some(s => s.ndcg >= 0.171 && s.ndcg <= 0.172 && s.baseline === 'pass')).toBe(true);
    expect(steps.some(s => s.baseline === 'fail')).toBe(true);

    // The failing version is not promoted; its results say why.
    const failed = steps.findIndex(s => s.baseline === 'fail') + 1;
    const v = await registry.getVersion(MODEL, String(failed));
    expect(v!.aliases).toEqual([]);
    expect(v!.gates!.passed).toBe(false);
    expect(v!.gates!.results[1].reason).toMatch(/vs the best of the last \d promoted versions \(v1, 0.186\)/);
  });
});
