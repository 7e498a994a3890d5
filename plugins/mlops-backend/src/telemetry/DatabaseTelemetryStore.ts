import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { EncodedSummary, mergeEncoded } from './stats/summaries';
import {
  BatchOutcome,
  LabelledPrediction,
  OutcomeRow,
  PredictionRow,
  ReferenceProfile,
  RetrainTrigger,
  StoredSummary,
  SummaryDelta,
  SummaryQuery,
  TelemetryStore,
} from './TelemetryStore';

const PREDICTION_COLUMNS = [
  'source',
  'sequence',
  'model_ref',
  'version',
  'request_id',
  'query_id',
  'occurred_at',
  'segment',
  'score',
  'latency_ms',
  'error',
  'features',
] as const;
const PG_TYPES = ['text', 'bigint', 'text', 'text', 'text', 'text', 'bigint', 'text', 'float8', 'float8', 'boolean', 'text'];

/** SQLite allows 32,766 bound parameters per statement. */
const SQLITE_MAX_PARAMS = 32000;

const keyOf = (source: string, sequence: number | string) => `${source}\u0000${sequence}`;
const summaryKey = (s: { modelRef: string; version: string; segment: string; feature: string; bucketStart: number }) =>
  `${s.modelRef}\u0000${s.version}\u0000${s.segment}\u0000${s.feature}\u0000${s.bucketStart}`;

/** Keeps the first of records sharing a key; returns them and how many repeats were dropped. */
function firstOfEachKey<T extends { source: string; sequence: number }>(rows: T[]): [T[], number] {
  const seen = new Set<string>();
  const unique = rows.filter(r => {
    const key = keyOf(r.source, r.sequence);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [unique, rows.length - unique.length];
}

export class DatabaseTelemetryStore implements TelemetryStore {
  private readonly isPostgres: boolean;

  constructor(private readonly db: Knex) {
    this.isPostgres = String(db.client.config.client).includes('pg');
  }

  /** Inserts rows, skipping existing keys; returns the keys that were new. */
  private async insertIgnoringDuplicates(
    tx: Knex.Transaction,
    table: string,
    columns: readonly string[],
    pgTypes: string[],
    values: unknown[][],
  ): Promise<Set<string>> {
    const fresh = new Set<string>();
    if (!values.length) return fresh;
    if (this.isPostgres) {
      // One statement whatever the batch size: each column travels as one array parameter.
      const arrays = columns.map((_, c) => values.map(v => v[c]));
      const result = await tx.raw(
        `insert into ${table} (${columns.join(', ')}) select * from unnest(${pgTypes.map(t => `?::${t}[]`).join(', ')}) on conflict do nothing returning source, sequence`,
        arrays as Knex.RawBinding[],
      );
      for (const row of result.rows) fresh.add(keyOf(row.source, row.sequence));
      return fresh;
    }
    const perStatement = Math.floor(SQLITE_MAX_PARAMS / columns.length);
    const placeholders = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < values.length; i += perStatement) {
      const chunk = values.slice(i, i + perStatement);
      const rows = await tx.raw(
        `insert into ${table} (${columns.join(', ')}) values ${chunk.map(() => placeholders).join(', ')} on conflict do nothing returning source, sequence`,
        chunk.flat() as Knex.RawBinding[],
      );
      for (const row of rows) fresh.add(keyOf(row.source, row.sequence));
    }
    return fresh;
  }

  /** Claims a batch id; false when it was committed before (the caller then writes nothing). */
  private async claimBatch(tx: Knex.Transaction, batchId: string, kind: string): Promise<boolean> {
    const inserted = await tx('mlops_telemetry_batches')
      .insert({ batch_id: batchId, kind, received_at: Date.now(), accepted: 0, duplicates: 0 })
      .onConflict('batch_id')
      .ignore()
      .returning('batch_id');
    return inserted.length > 0;
  }

  private async previousOutcome(batchId: string): Promise<BatchOutcome> {
    const row = await this.db('mlops_telemetry_batches').where('batch_id', batchId).first();
    return { batchId, accepted: Number(row?.accepted ?? 0), duplicates: Number(row?.duplicates ?? 0), redelivered: true };
  }

  private async finishBatch(tx: Knex.Transaction, batchId: string, accepted: number, duplicates: number): Promise<BatchOutcome> {
    await tx('mlops_telemetry_batches').where('batch_id', batchId).update({ accepted, duplicates });
    return { batchId, accepted, duplicates, redelivered: false };
  }

  /** Serialises summary writes per model on PostgreSQL (SQLite runs one writer at a time anyway). */
  private async lockModels(tx: Knex.Transaction, modelRefs: Iterable<string>) {
    if (!this.isPostgres) return;
    for (const ref of [...new Set(modelRefs)].sort()) {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`mlops-summaries:${ref}`]);
    }
  }

  private async mergeSummaries(tx: Knex.Transaction, deltas: SummaryDelta[]) {
    if (!deltas.length) return;
    const combined = new Map<string, SummaryDelta>();
    for (const delta of deltas) {
      const key = summaryKey(delta);
      const existing = combined.get(key);
      combined.set(key, existing ? { ...existing, summary: mergeEncoded(existing.summary, delta.summary) } : delta);
    }
    const byModel = new Map<string, SummaryDelta[]>();
    for (const d of combined.values()) byModel.set(d.modelRef, [...(byModel.get(d.modelRef) ?? []), d]);
    await this.lockModels(tx, byModel.keys());
    for (const [modelRef, items] of byModel) {
      const buckets = [...new Set(items.map(d => d.bucketStart))];
      const features = [...new Set(items.map(d => d.feature))];
      const stored = new Map<string, EncodedSummary>();
      for (let i = 0; i < features.length; i += 500) {
        const rows = await tx('mlops_feature_summaries')
          .where('model_ref', modelRef)
          .whereIn('bucket_start', buckets)
          .whereIn('feature', features.slice(i, i + 500))
          .select('version', 'segment', 'feature', 'bucket_start', 'summary');
        for (const row of rows) {
          stored.set(
            summaryKey({ modelRef, version: row.version, segment: row.segment, feature: row.feature, bucketStart: Number(row.bucket_start) }),
            JSON.parse(row.summary),
          );
        }
      }
      const records = items.map(d => {
        const previous = stored.get(summaryKey(d));
        return {
          model_ref: d.modelRef,
          version: d.version,
          segment: d.segment,
          feature: d.feature,
          bucket_start: d.bucketStart,
          layout_version: d.layoutVersion,
          summary: JSON.stringify(previous ? mergeEncoded(previous, d.summary) : d.summary),
        };
      });
      for (let i = 0; i < records.length; i += 1000) {
        await tx('mlops_feature_summaries')
          .insert(records.slice(i, i + 1000))
          .onConflict(['model_ref', 'version', 'segment', 'feature', 'bucket_start'])
          .merge(['summary', 'layout_version']);
      }
    }
  }

  async commitPredictions(
    batchId: string,
    rows: PredictionRow[],
    summarize: (fresh: PredictionRow[]) => SummaryDelta[],
  ): Promise<BatchOutcome> {
    const [unique] = firstOfEachKey(rows);
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'predictions'))) return undefined;
      const freshKeys = await this.insertIgnoringDuplicates(
        tx,
        'mlops_predictions',
        PREDICTION_COLUMNS,
        PG_TYPES,
        unique.map(r => [
          r.source,
          r.sequence,
          r.modelRef,
          r.version,
          r.requestId,
          r.queryId,
          r.occurredAt,
          Object.keys(r.segment).length ? JSON.stringify(r.segment) : null,
          r.score,
          r.latencyMs,
          r.error,
          r.features ? JSON.stringify(r.features) : null,
        ]),
      );
      const fresh = unique.filter(r => freshKeys.has(keyOf(r.source, r.sequence)));
      await this.mergeSummaries(tx, summarize(fresh));
      return this.finishBatch(tx, batchId, fresh.length, rows.length - fresh.length);
    });
    return outcome ?? this.previousOutcome(batchId);
  }

  async commitOutcomes(batchId: string, rows: OutcomeRow[]): Promise<BatchOutcome> {
    const [unique] = firstOfEachKey(rows);
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'outcomes'))) return undefined;
      const fresh = await this.insertIgnoringDuplicates(
        tx,
        'mlops_outcomes',
        ['source', 'sequence', 'request_id', 'outcome', 'value', 'occurred_at'],
        ['text', 'bigint', 'text', 'text', 'float8', 'bigint'],
        unique.map(r => [r.source, r.sequence, r.requestId, r.outcome, r.value, r.occurredAt]),
      );
      return this.finishBatch(tx, batchId, fresh.size, rows.length - fresh.size);
    });
    return outcome ?? this.previousOutcome(batchId);
  }

  async commitProfiles(
    batchId: string,
    receipts: Array<{ source: string; sequence: number; deltas: SummaryDelta[] }>,
  ): Promise<BatchOutcome> {
    const [unique] = firstOfEachKey(receipts);
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'profiles'))) return undefined;
      const now = Date.now();
      const fresh = await this.insertIgnoringDuplicates(
        tx,
        'mlops_profile_receipts',
        ['source', 'sequence', 'received_at'],
        ['text', 'bigint', 'bigint'],
        unique.map(r => [r.source, r.sequence, now]),
      );
      const accepted = unique.filter(r => fresh.has(keyOf(r.source, r.sequence)));
      await this.mergeSummaries(tx, accepted.flatMap(r => r.deltas));
      return this.finishBatch(tx, batchId, accepted.length, receipts.length - accepted.length);
    });
    return outcome ?? this.previousOutcome(batchId);
  }

  async putReferenceProfile(profile: ReferenceProfile): Promise<void> {
    await this.db.transaction(async tx => {
      const existing = await tx('mlops_reference_profiles')
        .where({ model_ref: profile.modelRef, version: profile.version })
        .first('feature');
      if (existing) {
        throw new ConflictError(`Version ${profile.version} of ${profile.modelRef} already has a reference profile; profiles are immutable`);
      }
      const telemetry = await tx('mlops_feature_summaries')
        .where({ model_ref: profile.modelRef, version: profile.version })
        .first('feature');
      if (telemetry) {
        throw new ConflictError(
          `Version ${profile.version} of ${profile.modelRef} already has telemetry binned with another profile; upload the profile before serving the version`,
        );
      }
      await tx('mlops_reference_profiles').insert(
        profile.features.map(f => ({
          model_ref: profile.modelRef,
          version: profile.version,
          feature: f.feature,
          kind: f.kind,
          layout: f.layout ? JSON.stringify(f.layout) : null,
          summary: JSON.stringify(f.summary),
          created_at: profile.createdAt,
        })),
      );
    });
  }

  private toProfile(rows: any[]): ReferenceProfile | undefined {
    if (!rows.length) return undefined;
    return {
      modelRef: rows[0].model_ref,
      version: rows[0].version,
      createdAt: Number(rows[0].created_at),
      features: rows.map(r => ({
        feature: r.feature,
        kind: r.kind,
        layout: r.layout ? JSON.parse(r.layout) : null,
        summary: JSON.parse(r.summary),
      })),
    };
  }

  async getReferenceProfile(modelRef: string, version: string) {
    return this.toProfile(
      await this.db('mlops_reference_profiles').where({ model_ref: modelRef, version }).orderBy('feature'),
    );
  }

  async latestReferenceProfile(modelRef: string) {
    const newest = await this.db('mlops_reference_profiles')
      .where({ model_ref: modelRef })
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc')
      .first('version');
    return newest ? this.getReferenceProfile(modelRef, newest.version) : undefined;
  }

  async readSummaries(query: SummaryQuery): Promise<StoredSummary[]> {
    const q = this.db('mlops_feature_summaries')
      .where('model_ref', query.modelRef)
      .where('bucket_start', '>=', query.from)
      .where('bucket_start', '<', query.to);
    if (query.version) q.where('version', query.version);
    if (query.segments) q.whereIn('segment', query.segments);
    if (query.features) q.whereIn('feature', query.features);
    const rows = await q.select('version', 'segment', 'feature', 'bucket_start', 'layout_version', 'summary');
    return rows.map(r => ({
      modelRef: query.modelRef,
      version: r.version,
      segment: r.segment,
      feature: r.feature,
      bucketStart: Number(r.bucket_start),
      layoutVersion: r.layout_version,
      summary: JSON.parse(r.summary),
    }));
  }

  async telemetryKeys(modelRef: string, from: number, to: number) {
    return this.db('mlops_feature_summaries')
      .where({ model_ref: modelRef, feature: '__events' })
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .distinct('version', 'segment');
  }

  async activeModels(since: number): Promise<string[]> {
    const rows = await this.db('mlops_feature_summaries')
      .where('bucket_start', '>=', since)
      .where('feature', '__events')
      .distinct('model_ref');
    return rows.map(r => r.model_ref).sort();
  }

  async labelledPredictions(modelRef: string, outcome: string, from: number, to: number, limit: number): Promise<LabelledPrediction[]> {
    const labels = this.db('mlops_outcomes')
      .where('outcome', outcome)
      .groupBy('request_id')
      .select('request_id')
      .max({ value: 'value' })
      .as('o');
    const rows = await this.db('mlops_predictions as p')
      .leftJoin(labels, 'o.request_id', 'p.request_id')
      .where('p.model_ref', modelRef)
      .where('p.occurred_at', '>=', from)
      .where('p.occurred_at', '<', to)
      .whereNotNull('p.score')
      .orderBy('p.occurred_at')
      .limit(limit)
      .select('p.version', 'p.occurred_at', 'p.score', 'p.query_id', 'p.segment', 'o.value');
    return rows.map(r => ({
      version: r.version,
      occurredAt: Number(r.occurred_at),
      score: Number(r.score),
      queryId: r.query_id,
      segment: r.segment ? JSON.parse(r.segment) : {},
      label: r.value === null || r.value === undefined ? 0 : Number(r.value),
    }));
  }

  async addTrigger(t: RetrainTrigger): Promise<void> {
    await this.db('mlops_retrain_triggers').insert({
      id: t.id,
      model_ref: t.modelRef,
      reason: t.reason,
      severity: t.severity,
      status: t.status,
      approval_before_canary: t.approvalBeforeCanary,
      details: JSON.stringify(t.details),
      action: t.action ? JSON.stringify(t.action) : null,
      created_at: t.createdAt,
    });
  }

  private toTrigger(r: any): RetrainTrigger {
    return {
      id: r.id,
      modelRef: r.model_ref,
      reason: r.reason,
      severity: r.severity,
      status: r.status,
      approvalBeforeCanary: Boolean(r.approval_before_canary),
      details: JSON.parse(r.details),
      action: r.action ? JSON.parse(r.action) : null,
      createdAt: Number(r.created_at),
    };
  }

  async listTriggers(modelRef: string, limit: number) {
    const rows = await this.db('mlops_retrain_triggers').where('model_ref', modelRef).orderBy('created_at', 'desc').limit(limit);
    return rows.map(r => this.toTrigger(r));
  }

  async lastTrigger(modelRef: string, statuses: RetrainTrigger['status'][], reason?: RetrainTrigger['reason']) {
    const query = this.db('mlops_retrain_triggers').where('model_ref', modelRef).whereIn('status', statuses);
    if (reason) query.where('reason', reason);
    const row = await query.orderBy('created_at', 'desc').first();
    return row ? this.toTrigger(row) : undefined;
  }

  async purge(before: { rawEvents: number; summaries: number }): Promise<number> {
    let removed = 0;
    removed += await this.db('mlops_predictions').where('occurred_at', '<', before.rawEvents).delete();
    removed += await this.db('mlops_outcomes').where('occurred_at', '<', before.rawEvents).delete();
    removed += await this.db('mlops_feature_summaries').where('bucket_start', '<', before.summaries).delete();
    return removed;
  }
}
