import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient, storeMigrations } from '../database/migrations';
import { Knex } from 'knex';
import { whereModelInRanges } from '../telemetry/DatabaseTelemetryStore';
import { ALL_TRAFFIC, BUCKET_MS, bucketOf, RESOLUTIONS } from '../telemetry/constants';
import { KpiStore, LabelRollup, ReplicaSample } from './KpiStore';

const ROLLUP_KEY = ['model_ref', 'bucket_ms', 'bucket_start', 'version', 'segment', 'outcome'];
/** Raw predictions are joined with their labels this much at a time (memory stays bounded). */
const RECOUNT_CHUNK_MS = 6 * 3600_000;

const rollupKey = (version: string, segment: string, outcome: string, bucketStart: number) =>
  `${bucketStart}\u0000${version}\u0000${segment}\u0000${outcome}`;

export class DatabaseKpiStore implements KpiStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('kpi');

  static async create(options: { database: DatabaseService }): Promise<DatabaseKpiStore> {
    return new DatabaseKpiStore(await migratedClient(options.database, [DatabaseKpiStore.migrations]));
  }

  private readonly isPostgres: boolean;

  constructor(private readonly db: Knex) {
    this.isPostgres = String(db.client.config.client).includes('pg');
  }

  async settledUntil(modelRef: string) {
    const rows = await this.db('mlops_label_rollup_state').where('model_ref', modelRef).select('outcome', 'settled_until');
    return new Map(rows.map(r => [r.outcome as string, Number(r.settled_until)]));
  }

  async recountLabels(modelRef: string, outcomes: string[], dimensions: string[], from: number, to: number, settle: boolean) {
    if (!outcomes.length || from >= to) return;
    if (from % BUCKET_MS || to % BUCKET_MS) throw new Error('label recounts cover whole 5-minute buckets');
    for (let start = from; start < to; start += RECOUNT_CHUNK_MS) {
      const end = Math.min(to, start + RECOUNT_CHUNK_MS);
      await this.db.transaction(async tx => {
        if (this.isPostgres) await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`mlops-labels:${modelRef}`]);
        await this.recountChunk(tx, modelRef, outcomes, dimensions, start, end);
        if (settle) {
          await tx('mlops_label_rollup_state')
            .insert(outcomes.map(outcome => ({ model_ref: modelRef, outcome, settled_until: end })))
            .onConflict(['model_ref', 'outcome'])
            .merge(['settled_until']);
        }
      });
    }
  }

  private async recountChunk(tx: Knex.Transaction, modelRef: string, outcomes: string[], dimensions: string[], from: number, to: number) {
    // Only labelled predictions come back (one index lookup per prediction); a prediction with two
    // labels of the same outcome counts once.
    const rows = await tx('mlops_prediction_events as p')
      .join('mlops_outcome_events as o', 'o.request_id', 'p.request_id')
      .where('p.model_ref', modelRef)
      .where('p.occurred_at', '>=', from)
      .where('p.occurred_at', '<', to)
      .whereIn('o.outcome', outcomes)
      .where('o.value', '>', 0)
      .select('p.source', 'p.sequence', 'p.version', 'p.segment', 'p.occurred_at', 'o.outcome');
    const counted = new Set<string>();
    const fresh = new Map<string, LabelRollup>();
    const add = (version: string, segment: string, outcome: string, bucketStart: number) => {
      const key = rollupKey(version, segment, outcome, bucketStart);
      const row = fresh.get(key);
      if (row) row.positives++;
      else fresh.set(key, { version, segment, outcome, bucketMs: BUCKET_MS, bucketStart, positives: 1 });
    };
    for (const r of rows) {
      const id = `${r.source}\u0000${r.sequence}\u0000${r.outcome}`;
      if (counted.has(id)) continue;
      counted.add(id);
      const bucketStart = bucketOf(Number(r.occurred_at));
      add(r.version, ALL_TRAFFIC, r.outcome, bucketStart);
      if (dimensions.length && r.segment) {
        const tags = JSON.parse(r.segment) as Record<string, string>;
        for (const dim of dimensions) if (tags[dim] !== undefined) add(r.version, `${dim}=${tags[dim]}`, r.outcome, bucketStart);
      }
    }

    const stored = await tx('mlops_label_rollups')
      .where({ model_ref: modelRef, bucket_ms: BUCKET_MS })
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .whereIn('outcome', outcomes)
      .select('version', 'segment', 'outcome', 'bucket_start', 'positives');
    // What each hour and day row must move by: new 5-minute counts minus the stored ones.
    const moves = new Map<string, LabelRollup>();
    const move = (r: Omit<LabelRollup, 'bucketMs'>, delta: number) => {
      for (const bucketMs of RESOLUTIONS.slice(1)) {
        const bucketStart = Math.floor(r.bucketStart / bucketMs) * bucketMs;
        const key = `${bucketMs}\u0000${rollupKey(r.version, r.segment, r.outcome, bucketStart)}`;
        const m = moves.get(key);
        if (m) m.positives += delta;
        else moves.set(key, { version: r.version, segment: r.segment, outcome: r.outcome, bucketMs, bucketStart, positives: delta });
      }
    };
    for (const r of fresh.values()) move(r, r.positives);
    for (const s of stored) {
      move({ version: s.version, segment: s.segment, outcome: s.outcome, bucketStart: Number(s.bucket_start), positives: 0 }, -Number(s.positives));
    }

    await tx('mlops_label_rollups')
      .where({ model_ref: modelRef, bucket_ms: BUCKET_MS })
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .whereIn('outcome', outcomes)
      .delete();
    const toRow = (r: LabelRollup) => ({
      model_ref: modelRef,
      bucket_ms: r.bucketMs,
      bucket_start: r.bucketStart,
      version: r.version,
      segment: r.segment,
      outcome: r.outcome,
      positives: r.positives,
    });
    const inserts = [...fresh.values()].map(toRow);
    for (let i = 0; i < inserts.length; i += 500) await tx('mlops_label_rollups').insert(inserts.slice(i, i + 500));
    const updates = [...moves.values()].filter(m => m.positives !== 0).map(toRow);
    for (let i = 0; i < updates.length; i += 500) {
      await tx('mlops_label_rollups')
        .insert(updates.slice(i, i + 500))
        .onConflict(ROLLUP_KEY)
        .merge({ positives: tx.raw('?? + ??', ['mlops_label_rollups.positives', 'excluded.positives']) });
    }
  }

  async readLabelRollups(query: { modelRef: string; outcomes: string[]; ranges: Array<[number, number, number]>; version?: string; segments?: string[] }) {
    if (!query.ranges.length || !query.outcomes.length) return [];
    const q = whereModelInRanges(this.db('mlops_label_rollups'), query.modelRef, query.ranges).whereIn('outcome', query.outcomes);
    if (query.version) q.where('version', query.version);
    if (query.segments) q.whereIn('segment', query.segments);
    const rows = await q.select('version', 'segment', 'outcome', 'bucket_ms', 'bucket_start', 'positives');
    return rows.map(r => ({
      version: r.version,
      segment: r.segment,
      outcome: r.outcome,
      bucketMs: Number(r.bucket_ms),
      bucketStart: Number(r.bucket_start),
      positives: Number(r.positives),
    }));
  }

  async addReplicaSample(sample: ReplicaSample) {
    return this.db.transaction(async tx => {
      if (this.isPostgres) await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`mlops-replicas:${sample.modelRef}`]);
      // Compared with the sample in effect at that time (samples may be recorded after the fact).
      const same = await tx('mlops_replica_samples').where({ model_ref: sample.modelRef, observed_at: sample.observedAt }).first();
      if (same) return false;
      const previous = await tx('mlops_replica_samples')
        .where('model_ref', sample.modelRef)
        .where('observed_at', '<', sample.observedAt)
        .orderBy('observed_at', 'desc')
        .first();
      if (
        previous &&
        previous.environment === sample.environment &&
        Number(previous.replicas) === sample.replicas &&
        Number(previous.hourly_cost) === sample.hourlyCost
      ) {
        return false;
      }
      await tx('mlops_replica_samples').insert({
        model_ref: sample.modelRef,
        observed_at: sample.observedAt,
        environment: sample.environment,
        replicas: sample.replicas,
        hourly_cost: sample.hourlyCost,
      });
      return true;
    });
  }

  async replicaSamples(modelRef: string, from: number, to: number) {
    const before = await this.db('mlops_replica_samples').where('model_ref', modelRef).where('observed_at', '<', from).orderBy('observed_at', 'desc').first();
    const within = await this.db('mlops_replica_samples')
      .where('model_ref', modelRef)
      .where('observed_at', '>=', from)
      .where('observed_at', '<', to)
      .orderBy('observed_at');
    return [...(before ? [before] : []), ...within].map(r => ({
      modelRef,
      observedAt: Number(r.observed_at),
      environment: r.environment,
      replicas: Number(r.replicas),
      hourlyCost: Number(r.hourly_cost),
    }));
  }

  async purge(before: number) {
    let removed = 0;
    for (const bucketMs of RESOLUTIONS) {
      removed += await this.db('mlops_label_rollups').where('bucket_ms', bucketMs).where('bucket_start', '<=', before - bucketMs).delete();
    }
    // A sample is needed while it still applies: keep each model's newest one before `before`.
    const models = await this.db('mlops_replica_samples').where('observed_at', '<', before).distinct('model_ref');
    for (const { model_ref: modelRef } of models) {
      const keep = await this.db('mlops_replica_samples').where('model_ref', modelRef).where('observed_at', '<', before).max({ at: 'observed_at' }).first();
      removed += await this.db('mlops_replica_samples').where('model_ref', modelRef).where('observed_at', '<', Number(keep?.at)).delete();
    }
    return removed;
  }
}
