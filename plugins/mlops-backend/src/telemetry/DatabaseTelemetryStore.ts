import { DatabaseService } from '@backstage/backend-plugin-api';
import { isUniqueViolation } from '../database/errors';
import { migratedClient, storeMigrations } from '../database/migrations';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { EncodedSummary, mergeEncoded, mergeEncodedAll } from '../stats/summaries';
import { ScoreCalibration } from '../stats/cbpe';
import { decodeStored, encodeStored, encodeStoredCompressed, isPacked, packSummaries, unpackSummaries } from '../stats/summaryCodec';
import { BUCKET_MS, EVENTS, LABEL_BUCKET_MS, labelBucketOf, PACKED, PREDICTIONS, RESOLUTIONS } from './constants';
import {
  BatchOutcome,
  LabelledPrediction,
  DriftIncident,
  DriftSignals,
  OutcomeRow,
  PredictionRow,
  ReferenceProfile,
  RetrainTrigger,
  StoredSummary,
  SummaryDelta,
  SummaryQuery,
  TelemetryStore,
} from './TelemetryStore';

/** A stored column: its name, its PostgreSQL type (for unnest) and how a record gives its value. */
type Column<T> = [name: string, pgType: string, value: (record: T) => unknown];

const PREDICTION_COLUMNS: Column<PredictionRow>[] = [
  ['source', 'text', r => r.source],
  ['sequence', 'bigint', r => r.sequence],
  ['model_ref', 'text', r => r.modelRef],
  ['version', 'text', r => r.version],
  ['request_id', 'text', r => r.requestId],
  ['query_id', 'text', r => r.queryId],
  ['occurred_at', 'bigint', r => r.occurredAt],
  ['segment', 'text', r => (hasKeys(r.segment) ? JSON.stringify(r.segment) : null)],
  ['score', 'float8', r => r.score],
  ['latency_ms', 'float8', r => r.latencyMs],
  ['error', 'boolean', r => r.error],
  ['features', 'text', r => (r.keepFeatures && r.features ? JSON.stringify(r.features) : null)],
];

const OUTCOME_COLUMNS: Column<OutcomeRow>[] = [
  ['source', 'text', r => r.source],
  ['sequence', 'bigint', r => r.sequence],
  ['request_id', 'text', r => r.requestId],
  ['outcome', 'text', r => r.outcome],
  ['value', 'float8', r => r.value],
  ['occurred_at', 'bigint', r => r.occurredAt],
];

/** A summary row as stored, in mlops_summaries or appended to mlops_summary_deltas. */
type SummaryRecord = {
  model_ref: string;
  version: string;
  layout_version: string;
  segment: string;
  feature: string;
  bucket_ms: number;
  bucket_start: number;
  summary: Uint8Array;
};

const SUMMARY_COLUMNS: Column<SummaryRecord>[] = [
  ['model_ref', 'text', r => r.model_ref],
  ['version', 'text', r => r.version],
  ['layout_version', 'text', r => r.layout_version],
  ['segment', 'text', r => r.segment],
  ['feature', 'text', r => r.feature],
  ['bucket_ms', 'integer', r => r.bucket_ms],
  ['bucket_start', 'bigint', r => r.bucket_start],
  ['summary', 'bytea', r => r.summary],
];

/**
 * Appended rows folded into mlops_summaries per transaction at most. A row packs a series' features
 * (about 50 summaries for a 50-feature model), so this is about 25,000 summaries.
 */
const COMPACTION_ROWS = 500;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, c => COPY_ESCAPES[c]) : value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // bytea in COPY's text form: \x and hex, its backslash escaped.
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  return String(value);
}

function hasKeys(o: object) {
  // for…in rather than Object.keys: no array per event.
  for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) return true;
  return false;
}

/** Rows per multi-row insert statement on SQLite: a fixed size, so the statement is prepared once. */
const SQLITE_ROWS_PER_STATEMENT = 256;


/**
 * Covers [from, to) with the fewest stored rows: whole days, whole hours around them, 5-minute
 * buckets at the edges; rows coarser than 5 minutes only from `since` (when they became complete)
 * and no coarser than `maxBucketMs`. Returns (bucket size, first start, end) ranges.
 */
export function coverWithRollups(from: number, to: number, since = 0, maxBucketMs = Infinity): Array<[number, number, number]> {
  const ranges: Array<[number, number, number]> = [];
  const split = (lo: number, hi: number, level: number) => {
    if (lo >= hi) return;
    const size = RESOLUTIONS[level];
    const first = level ? Math.ceil(Math.max(lo, since) / size) * size : lo;
    const end = level ? Math.floor(hi / size) * size : hi;
    if (first >= end || size > maxBucketMs) {
      if (level) split(lo, hi, level - 1);
      return;
    }
    if (level) split(lo, first, level - 1);
    ranges.push([size, first, end]);
    if (level) split(end, hi, level - 1);
  };
  split(Math.ceil(from / BUCKET_MS) * BUCKET_MS, to, RESOLUTIONS.length - 1);
  return ranges;
}

/** How long summaries are kept at each resolution (bucket length in ms → ms). */
export type SummaryRetention = Record<number, number>;

/**
 * Covers [from, to) where rows may have been downsampled: `cover` for the part whose 5-minute rows
 * are kept; before that, hourly rows (widened to whole hours), and before those, daily rows (widened
 * to whole days). A query over an old range reads the coarser rows that overlap it.
 */
export function coverKept(
  from: number,
  to: number,
  kept: { fiveMinutes: number; hours: number },
  cover: (from: number, to: number) => Array<[number, number, number]>,
): Array<[number, number, number]> {
  const [, HOUR, DAY] = RESOLUTIONS;
  const ranges: Array<[number, number, number]> = [];
  const dailyEnd = Math.min(to, kept.hours);
  if (from < dailyEnd) ranges.push([DAY, Math.floor(from / DAY) * DAY, Math.ceil(dailyEnd / DAY) * DAY]);
  const hourlyFrom = Math.max(from, kept.hours);
  const hourlyEnd = Math.min(to, kept.fiveMinutes);
  if (hourlyFrom < hourlyEnd) ranges.push([HOUR, Math.floor(hourlyFrom / HOUR) * HOUR, Math.ceil(hourlyEnd / HOUR) * HOUR]);
  const fineFrom = Math.max(from, kept.fiveMinutes);
  if (fineFrom < to) ranges.push(...cover(fineFrom, to));
  return ranges;
}

/**
 * One model's rows within rollup ranges (`[bucketMs, from, to]`). The model is repeated inside each
 * range so that SQLite (multi-index OR) and PostgreSQL (bitmap OR) read every range from the
 * primary key, not every row the model has.
 */
export function whereModelInRanges<Q extends Knex.QueryBuilder>(q: Q, modelRef: string, ranges: Array<[number, number, number]>): Q {
  q.where(inner => {
    for (const [bucketMs, from, to] of ranges) {
      inner.orWhere(w => w.where('model_ref', modelRef).where('bucket_ms', bucketMs).where('bucket_start', '>=', from).where('bucket_start', '<', to));
    }
  });
  return q;
}

type Stream = 'predictions' | 'outcomes' | 'profiles';
type Sequenced = { source: string; sequence: number };

/** One stored row's identity within a model; `layoutVersion` as stored ('' for none). */
const summaryKey = (s: Pick<SummaryDelta, 'version' | 'layoutVersion' | 'segment' | 'feature'>, bucketMs: number, bucketStart: number) =>
  `${bucketMs}\u0000${bucketStart}\u0000${s.version}\u0000${s.layoutVersion ?? ''}\u0000${s.segment}\u0000${s.feature}`;

/**
 * An appended row as the feature summaries it holds: a packed row's features (those wanted), or a
 * row appended per feature (before packing) as it is.
 */
function appendedSummaries<R extends { feature: string; summary: Uint8Array | string }>(row: R, wanted?: (feature: string) => boolean): Array<R & { decoded: EncodedSummary }> {
  if (row.feature === PACKED && isPacked(row.summary)) {
    return unpackSummaries(row.summary as Uint8Array, wanted).map(({ feature, summary }) => ({ ...row, feature, decoded: summary }));
  }
  return !wanted || wanted(row.feature) ? [{ ...row, decoded: decodeStored(row.summary) }] : [];
}

const cmp = (a: string, b: string) => (a < b ? -1 : Number(a > b));

type LabelCount = { modelRef: string; outcome: string; version: string; bucketStart: number; count: number };

/** A batch's new predictions counted per model, version and minute. */
function predictionCounts(fresh: PredictionRow[]): LabelCount[] {
  const counts = new Map<string, LabelCount>();
  let last: LabelCount | undefined;
  for (const r of fresh) {
    const bucketStart = labelBucketOf(r.occurredAt);
    // Batches run in order, mostly of one model and version: the key is built only when they change.
    if (last && last.bucketStart === bucketStart && last.version === r.version && last.modelRef === r.modelRef) {
      last.count++;
      continue;
    }
    const key = `${r.modelRef}\u0000${r.version}\u0000${bucketStart}`;
    last = counts.get(key);
    if (last) last.count++;
    else counts.set(key, (last = { modelRef: r.modelRef, outcome: PREDICTIONS, version: r.version, bucketStart, count: 1 }));
  }
  return [...counts.values()];
}

const preparedStatements = new WeakMap<object, Map<string, { run(...values: unknown[]): unknown }>>();

/** Parsed training profiles kept per store: about 0.5 MB each for a 50-feature model. */
const PARSED_PROFILES = 200;

export class DatabaseTelemetryStore implements TelemetryStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('telemetry');

  static async create(options: { database: DatabaseService }): Promise<DatabaseTelemetryStore> {
    return new DatabaseTelemetryStore(await migratedClient(options.database, [DatabaseTelemetryStore.migrations]));
  }

  private readonly isPostgres: boolean;
  /** Parsed training profiles, least recently read first. */
  private readonly profiles = new Map<string, ReferenceProfile>();
  private rollupsSince?: Promise<number>;

  constructor(
    private readonly db: Knex,
    /** Downsampling by age: how long each resolution's rows are kept (all of them for ever when not given). */
    private readonly options: { keptMs?: SummaryRetention; now?: () => number } = {},
  ) {
    this.isPostgres = String(db.client.config.client).includes('pg');
  }

  /**
   * From when each resolution's rows are all there: 5-minute rows from a whole hour, hourly rows
   * from a whole day (purge removes rows older than the retention; what is read starts after it).
   */
  private keptFrom(): { fiveMinutes: number; hours: number } {
    const kept = this.options.keptMs;
    if (!kept) return { fiveMinutes: -Infinity, hours: -Infinity };
    const now = this.options.now?.() ?? Date.now();
    const hours = Math.ceil((now - kept[RESOLUTIONS[1]]) / RESOLUTIONS[2]) * RESOLUTIONS[2];
    // Hourly rows are read from a whole day: where 5-minute rows are kept almost as long, they are
    // read only after that day begins, or the hours between would be counted twice.
    const fiveMinutes = Math.max(hours, Math.ceil((now - kept[RESOLUTIONS[0]]) / RESOLUTIONS[1]) * RESOLUTIONS[1]);
    return { fiveMinutes, hours };
  }

  finestBucketMs(at: number): number {
    const kept = this.keptFrom();
    if (at >= kept.fiveMinutes) return RESOLUTIONS[0];
    return at >= kept.hours ? RESOLUTIONS[1] : RESOLUTIONS[2];
  }

  /**
   * Which records are new. Senders number their records per source; committed sequences are kept
   * as ranges, so a batch costs one indexed lookup per source whatever its size. Within a batch the
   * first record of a sequence wins. Returns a mask over `records`.
   */
  private async claimSequences(tx: Knex.Transaction, stream: Stream, records: Sequenced[], newestAt: (i: number) => number): Promise<boolean[]> {
    const fresh: boolean[] = new Array(records.length).fill(false);
    const bySource = new Map<string, number[]>();
    records.forEach((r, i) => {
      const list = bySource.get(r.source);
      if (list) list.push(i);
      else bySource.set(r.source, [i]);
    });
    const sources = [...bySource.keys()].sort();
    if (this.isPostgres) {
      // Two transactions claiming the same sender's sequences must not both see them as new.
      for (const source of sources) await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`mlops-sequences:${stream}:${source}`]);
    }
    for (const source of sources) {
      const indices = bySource.get(source)!;
      // Senders number in order, so the sort is usually skipped.
      let ordered = true;
      for (let k = 1; k < indices.length && ordered; k++) ordered = records[indices[k - 1]].sequence < records[indices[k]].sequence;
      if (!ordered) indices.sort((a, b) => records[a].sequence - records[b].sequence || a - b);
      const low = records[indices[0]].sequence;
      const high = records[indices[indices.length - 1]].sequence;
      // Neighbours one past either end are read too, so a continuing batch extends its range.
      const existing = (
        await tx('mlops_sequence_ranges')
          .where({ stream, source })
          .where('last_sequence', '>=', low - 1)
          .where('first_sequence', '<=', high + 1)
          .orderBy('first_sequence')
          .select('first_sequence', 'last_sequence', 'newest_at')
      ).map(r => ({ first: Number(r.first_sequence), last: Number(r.last_sequence), newestAt: Number(r.newest_at), stored: true }));

      const runs: Array<{ first: number; last: number; newestAt: number; stored: boolean }> = [];
      let covering = 0;
      let previous = Number.NaN;
      for (const i of indices) {
        const sequence = records[i].sequence;
        if (sequence === previous) continue;
        previous = sequence;
        while (covering < existing.length && existing[covering].last < sequence) covering++;
        if (covering < existing.length && existing[covering].first <= sequence) continue;
        fresh[i] = true;
        const run = runs[runs.length - 1];
        if (run && run.last === sequence - 1) {
          run.last = sequence;
          run.newestAt = Math.max(run.newestAt, newestAt(i));
        } else {
          runs.push({ first: sequence, last: sequence, newestAt: newestAt(i), stored: false });
        }
      }
      if (!runs.length) continue;

      // Coalesce the new runs with touching stored ranges: replace those by one row each.
      const all = [...existing, ...runs].sort((a, b) => a.first - b.first);
      const merged: Array<{ first: number; last: number; newestAt: number; parts: typeof all }> = [];
      for (const r of all) {
        const m = merged[merged.length - 1];
        if (m && m.last + 1 >= r.first) {
          m.last = Math.max(m.last, r.last);
          m.newestAt = Math.max(m.newestAt, r.newestAt);
          m.parts.push(r);
        } else {
          merged.push({ first: r.first, last: r.last, newestAt: r.newestAt, parts: [r] });
        }
      }
      const changed = merged.filter(m => m.parts.some(p => !p.stored));
      const replaced = changed.flatMap(m => m.parts.filter(p => p.stored).map(p => p.first));
      for (let i = 0; i < replaced.length; i += 500) {
        await tx('mlops_sequence_ranges').where({ stream, source }).whereIn('first_sequence', replaced.slice(i, i + 500)).delete();
      }
      const rows = changed.map(m => ({ stream, source, first_sequence: m.first, last_sequence: m.last, newest_at: m.newestAt }));
      for (let i = 0; i < rows.length; i += 500) await tx('mlops_sequence_ranges').insert(rows.slice(i, i + 500));
    }
    return fresh;
  }

  /** Appends records (already known to be new): one statement on PostgreSQL, prepared chunks on SQLite. */
  private async append<T>(tx: Knex.Transaction, table: string, columns: Column<T>[], records: T[]) {
    if (!records.length) return;
    const names = columns.map(([name]) => name).join(', ');
    if (this.isPostgres) {
      // COPY, on the transaction's own connection: well above a multi-row or unnest insert.
      const connection = await (tx as any).client.acquireConnection();
      await new Promise<void>((resolve, reject) => {
        const stream = connection.query(copyFrom(`copy ${table} (${names}) from stdin`));
        stream.on('finish', resolve);
        stream.on('error', reject);
        for (let i = 0; i < records.length; i += 1000) {
          let text = '';
          for (let r = i; r < Math.min(i + 1000, records.length); r++) {
            for (let c = 0; c < columns.length; c++) text += (c ? '\t' : '') + copyText(columns[c][2](records[r]));
            text += '\n';
          }
          stream.write(text);
        }
        stream.end();
      });
      return;
    }
    // The transaction's own better-sqlite3 connection, so statements are prepared once, not per call.
    const connection = await (tx as any).client.acquireConnection();
    let statements = preparedStatements.get(connection);
    if (!statements) preparedStatements.set(connection, (statements = new Map()));
    const statementFor = (rows: number) => {
      const key = `${table}:${rows}`;
      let statement = statements!.get(key);
      if (!statement) {
        const row = `(${columns.map(() => '?').join(', ')})`;
        statement = connection.prepare(`insert into ${table} (${names}) values ${new Array(rows).fill(row).join(', ')}`);
        statements!.set(key, statement!);
      }
      return statement!;
    };
    const width = columns.length;
    const fill = (values: unknown[], from: number, count: number) => {
      for (let r = 0; r < count; r++) {
        const record = records[from + r];
        for (let c = 0; c < width; c++) {
          const x = columns[c][2](record);
          values[r * width + c] = typeof x === 'boolean' ? Number(x) : x;
        }
      }
      return values;
    };
    const chunk = new Array(SQLITE_ROWS_PER_STATEMENT * width);
    let i = 0;
    for (; i + SQLITE_ROWS_PER_STATEMENT <= records.length; i += SQLITE_ROWS_PER_STATEMENT) {
      statementFor(SQLITE_ROWS_PER_STATEMENT).run(fill(chunk, i, SQLITE_ROWS_PER_STATEMENT));
    }
    const single = statementFor(1);
    for (; i < records.length; i++) single.run(fill(new Array(width), i, 1));
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

  /** Serialises compaction per model on PostgreSQL (SQLite runs one writer at a time anyway). */
  private async lockModels(tx: Knex.Transaction, modelRefs: Iterable<string>) {
    if (!this.isPostgres) return;
    for (const ref of [...new Set(modelRefs)].sort()) {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`mlops-summaries:${ref}`]);
    }
  }

  /**
   * Appends a commit's summaries at every resolution (combined within the commit first): no read
   * and no lock, so a batch spread over many buckets costs an insert per row and replicas ingesting
   * one model do not wait on each other. Readers merge them with the folded rows; compaction folds
   * them in.
   */
  private async appendSummaries(tx: Knex.Transaction, deltas: SummaryDelta[]) {
    if (!deltas.length) return;
    type Series = { delta: SummaryDelta; bucketMs: number; bucketStart: number; features: Map<string, EncodedSummary[]> };
    // One row per series (model, version, layout, segment) and bucket at each resolution, its
    // features packed: a batch spread over 100 buckets appends about 440 rows, not 23,000. Ordered
    // by resolution and bucket, the order of the table's index, which SQLite inserts fastest.
    const byResolution = RESOLUTIONS.map(() => new Map<number, Map<string, Series>>());
    let lastDelta: SummaryDelta | undefined;
    let seriesKey = '';
    for (const delta of deltas) {
      // Deltas come grouped by series: its key is built when it changes.
      if (!lastDelta || lastDelta.modelRef !== delta.modelRef || lastDelta.version !== delta.version || lastDelta.segment !== delta.segment || lastDelta.layoutVersion !== delta.layoutVersion) {
        seriesKey = `${delta.modelRef}\u0000${delta.version}\u0000${delta.layoutVersion ?? ''}\u0000${delta.segment}`;
      }
      lastDelta = delta;
      for (let r = 0; r < RESOLUTIONS.length; r++) {
        const bucketMs = RESOLUTIONS[r];
        const bucketStart = Math.floor(delta.bucketStart / bucketMs) * bucketMs;
        let bucket = byResolution[r].get(bucketStart);
        if (!bucket) byResolution[r].set(bucketStart, (bucket = new Map()));
        let series = bucket.get(seriesKey);
        if (!series) bucket.set(seriesKey, (series = { delta, bucketMs, bucketStart, features: new Map() }));
        const parts = series.features.get(delta.feature);
        if (parts) parts.push(delta.summary);
        else series.features.set(delta.feature, [delta.summary]);
      }
    }
    const records: SummaryRecord[] = [];
    for (const buckets of byResolution) {
      for (const rows of buckets.values()) {
        for (const d of rows.values()) {
          records.push({
            model_ref: d.delta.modelRef,
            version: d.delta.version,
            layout_version: d.delta.layoutVersion ?? '',
            segment: d.delta.segment,
            feature: PACKED,
            bucket_ms: d.bucketMs,
            bucket_start: d.bucketStart,
            summary: packSummaries([...d.features].map(([feature, parts]) => ({ feature, summary: mergeEncodedAll(parts) }))),
          });
        }
      }
    }
    await this.append(tx, 'mlops_summary_deltas', SUMMARY_COLUMNS, records);
  }

  /**
   * Folds appended summaries into mlops_summaries, one model and at most COMPACTION_ROWS rows per
   * transaction under the model's lock: the appended rows of one key are merged first, then with
   * the stored row, and deleted by id (rows appended meanwhile stay for the next pass). Returns
   * the rows folded.
   */
  async compactSummaries(): Promise<number> {
    let folded = 0;
    const failed: string[] = [];
    let firstError: unknown;
    const models: string[] = await this.db('mlops_summary_deltas').distinct().pluck('model_ref');
    for (const modelRef of models.sort()) {
      // One model's failure leaves the others compacted; it is reported once all have had a pass.
      try {
        folded += await this.compactModel(modelRef);
      } catch (error) {
        failed.push(modelRef);
        firstError ??= error;
      }
    }
    if (failed.length) throw new Error(`summary compaction failed for ${failed.join(', ')} (${folded} rows folded for the others): ${String((firstError as Error)?.message ?? firstError)}`);
    return folded;
  }

  private async compactModel(modelRef: string): Promise<number> {
    let folded = 0;
    for (;;) {
      const n = await this.db.transaction(async tx => {
        await this.lockModels(tx, [modelRef]);
        const rows = await tx('mlops_summary_deltas')
          .where('model_ref', modelRef)
          .orderBy('id')
          .limit(COMPACTION_ROWS)
          .select('id', 'version', 'layout_version', 'segment', 'feature', 'bucket_ms', 'bucket_start', 'summary');
        if (!rows.length) return 0;
        const combined = new Map<string, { row: any; summary: EncodedSummary }>();
        for (const packed of rows) {
          for (const row of appendedSummaries(packed)) {
            const key = summaryKey({ ...row, layoutVersion: row.layout_version }, Number(row.bucket_ms), Number(row.bucket_start));
            const existing = combined.get(key);
            if (existing) existing.summary = mergeEncoded(existing.summary, row.decoded);
            else combined.set(key, { row, summary: row.decoded });
          }
        }
        await this.foldIntoSummaries(tx, modelRef, combined);
        const ids = rows.map(r => Number(r.id));
        for (let i = 0; i < ids.length; i += 5000) {
          const chunk = ids.slice(i, i + 5000);
          if (this.isPostgres) await tx('mlops_summary_deltas').whereRaw('id = any(?::bigint[])', [chunk]).delete();
          else await tx('mlops_summary_deltas').whereIn('id', chunk).delete();
        }
        return rows.length;
      });
      folded += n;
      if (n < COMPACTION_ROWS) break;
    }
    return folded;
  }

  /** Merges summaries (by summaryKey) into the stored rows of one model. */
  private async foldIntoSummaries(tx: Knex.Transaction, modelRef: string, combined: Map<string, { row: any; summary: EncodedSummary }>) {
    const items = [...combined.values()];
    const features = [...new Set(items.map(d => d.row.feature as string))];
    const stored = new Map<string, Uint8Array | string>();
    for (const bucketMs of RESOLUTIONS) {
      const starts = [...new Set(items.filter(d => Number(d.row.bucket_ms) === bucketMs).map(d => Number(d.row.bucket_start)))];
      if (!starts.length) continue;
      for (let i = 0; i < features.length; i += 500) {
        for (let j = 0; j < starts.length; j += 500) {
          const rows = await tx('mlops_summaries')
            .where({ model_ref: modelRef, bucket_ms: bucketMs })
            .whereIn('bucket_start', starts.slice(j, j + 500))
            .whereIn('feature', features.slice(i, i + 500))
            .select('version', 'layout_version', 'segment', 'feature', 'bucket_start', 'summary');
          for (const row of rows) {
            const key = summaryKey({ ...row, layoutVersion: row.layout_version }, bucketMs, Number(row.bucket_start));
            stored.set(key, row.summary);
          }
        }
      }
    }
    const records = [...combined.entries()].map(([key, d]) => {
      const previous = stored.get(key);
      return {
        model_ref: modelRef,
        version: d.row.version,
        layout_version: d.row.layout_version,
        segment: d.row.segment,
        feature: d.row.feature,
        bucket_ms: Number(d.row.bucket_ms),
        bucket_start: Number(d.row.bucket_start),
        // Plain: rows this recent are what warm queries read; retention compresses them once old.
        summary: encodeStored(previous ? mergeEncoded(decodeStored(previous), d.summary) : d.summary),
      };
    });
    for (let i = 0; i < records.length; i += 500) {
      await tx('mlops_summaries')
        .insert(records.slice(i, i + 500))
        .onConflict(['model_ref', 'bucket_ms', 'bucket_start', 'version', 'layout_version', 'segment', 'feature'])
        .merge(['summary']);
    }
  }

  /** Adds to the label counts: rows of (model, outcome, version, minute, count). */
  private async addLabelCounts(db: Knex, counts: Iterable<LabelCount>) {
    // In key order: concurrent commits then lock shared rows in the same order and never deadlock.
    const rows = [...counts]
      .sort((a, b) => cmp(a.modelRef, b.modelRef) || cmp(a.outcome, b.outcome) || cmp(a.version, b.version) || a.bucketStart - b.bucketStart)
      .map(c => ({ model_ref: c.modelRef, outcome: c.outcome, version: c.version, bucket_start: c.bucketStart, count: c.count }));
    for (let i = 0; i < rows.length; i += 500) {
      await db('mlops_label_counts')
        .insert(rows.slice(i, i + 500))
        .onConflict(['model_ref', 'outcome', 'version', 'bucket_start'])
        .merge({ count: db.raw('?? + ??', ['mlops_label_counts.count', 'excluded.count']) });
    }
  }

  /**
   * Counts the positive labels among these requests whose prediction and label are both stored,
   * once per prediction and outcome (a second label of the same outcome adds nothing). Runs after
   * the commit that stored either side, for a batch and again when it is redelivered: of two
   * concurrent commits, one holding a prediction and the other its label, whichever looks last
   * sees both (each looks after its own commit), and the claim keeps the pair from being counted
   * twice. A sender that got no 2xx retries, which recounts what a failure here left out.
   */
  private async countLabels(requestIds: Iterable<string>) {
    const ids = [...new Set(requestIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const pairs = await this.db('mlops_prediction_events as p')
        .join('mlops_outcome_events as o', 'o.request_id', 'p.request_id')
        .whereIn('p.request_id', ids.slice(i, i + 500))
        .where('o.value', '>', 0)
        .distinct('p.source', 'p.sequence', 'p.model_ref', 'p.version', 'p.occurred_at', 'o.outcome');
      if (!pairs.length) continue;
      // Claimed in key order, so two commits claiming the same pairs cannot deadlock.
      pairs.sort((a, b) => cmp(a.source, b.source) || Number(a.sequence) - Number(b.sequence) || cmp(a.outcome, b.outcome));
      await this.db.transaction(async tx => {
        const counts = new Map<string, LabelCount>();
        const byClaim = new Map(pairs.map(p => [`${p.source}\u0000${Number(p.sequence)}\u0000${p.outcome}`, p]));
        for (let j = 0; j < pairs.length; j += 500) {
          const claimed = await tx('mlops_label_claims')
            .insert(pairs.slice(j, j + 500).map(p => ({ source: p.source, sequence: p.sequence, outcome: p.outcome, occurred_at: p.occurred_at })))
            .onConflict(['source', 'sequence', 'outcome'])
            .ignore()
            .returning(['source', 'sequence', 'outcome']);
          for (const c of claimed) {
            const p = byClaim.get(`${c.source}\u0000${Number(c.sequence)}\u0000${c.outcome}`)!;
            const bucketStart = labelBucketOf(Number(p.occurred_at));
            const key = `${p.model_ref}\u0000${p.outcome}\u0000${p.version}\u0000${bucketStart}`;
            const count = counts.get(key);
            if (count) count.count++;
            else counts.set(key, { modelRef: p.model_ref, outcome: p.outcome, version: p.version, bucketStart, count: 1 });
          }
        }
        await this.addLabelCounts(tx, counts.values());
      });
    }
  }

  /**
   * Labels already stored for these new predictions (a label that came first, another model's or
   * version's prediction of the same request, a resent prediction): one probe of the labels' index
   * per request, 5,000 requests to a statement.
   */
  private async countEarlierLabels(requestIds: string[]) {
    const ids = [...new Set(requestIds)];
    const labelled: string[] = [];
    for (let i = 0; i < ids.length; i += 5000) {
      const query = this.db('mlops_outcome_events').where('value', '>', 0);
      // One parameter, not 5,000: compiling a statement with thousands of terms costs more than the probes.
      if (this.isPostgres) query.whereRaw('request_id = any(?::text[])', [ids.slice(i, i + 5000)]);
      else query.whereRaw('request_id in (select value from json_each(?))', [JSON.stringify(ids.slice(i, i + 5000))]);
      labelled.push(...(await query.distinct().pluck('request_id')));
    }
    if (labelled.length) await this.countLabels(labelled);
  }

  async commitPredictions(
    batchId: string,
    rows: PredictionRow[],
    summarize: (fresh: PredictionRow[]) => SummaryDelta[],
  ): Promise<BatchOutcome> {
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'predictions'))) return undefined;
      const isFresh = await this.claimSequences(tx, 'predictions', rows, i => rows[i].occurredAt);
      const fresh = rows.filter((_, i) => isFresh[i]);
      await this.append(tx, 'mlops_prediction_events', PREDICTION_COLUMNS, fresh);
      await this.appendSummaries(tx, summarize(fresh));
      await this.addLabelCounts(tx, predictionCounts(fresh));
      return this.finishBatch(tx, batchId, fresh.length, rows.length - fresh.length);
    });
    await this.countEarlierLabels(rows.map(r => r.requestId));
    return outcome ?? this.previousOutcome(batchId);
  }

  async commitOutcomes(batchId: string, rows: OutcomeRow[]): Promise<BatchOutcome> {
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'outcomes'))) return undefined;
      const isFresh = await this.claimSequences(tx, 'outcomes', rows, i => rows[i].occurredAt);
      const fresh = rows.filter((_, i) => isFresh[i]);
      await this.append(tx, 'mlops_outcome_events', OUTCOME_COLUMNS, fresh);
      return this.finishBatch(tx, batchId, fresh.length, rows.length - fresh.length);
    });
    await this.countLabels(rows.filter(r => r.value > 0).map(r => r.requestId));
    return outcome ?? this.previousOutcome(batchId);
  }

  async commitProfiles(
    batchId: string,
    receipts: Array<{ source: string; sequence: number; bucketStart: number; deltas: SummaryDelta[] }>,
  ): Promise<BatchOutcome> {
    const outcome = await this.db.transaction(async tx => {
      if (!(await this.claimBatch(tx, batchId, 'profiles'))) return undefined;
      const isFresh = await this.claimSequences(tx, 'profiles', receipts, i => receipts[i].bucketStart);
      const accepted = receipts.filter((_, i) => isFresh[i]);
      await this.appendSummaries(tx, accepted.flatMap(r => r.deltas));
      return this.finishBatch(tx, batchId, accepted.length, receipts.length - accepted.length);
    });
    return outcome ?? this.previousOutcome(batchId);
  }

  async putReferenceProfile(profile: ReferenceProfile): Promise<void> {
    try {
      await this.insertReferenceProfile(profile);
    } catch (error) {
      // Two uploads of one version at the same moment (replicas, a retried CI step): both read no
      // profile, one insert wins, the other is the same conflict as arriving second.
      if (isUniqueViolation(error)) throw new ConflictError(`Version ${profile.version} of ${profile.modelRef} already has a reference profile; profiles are immutable`);
      throw error;
    }
  }

  private async insertReferenceProfile(profile: ReferenceProfile): Promise<void> {
    await this.db.transaction(async tx => {
      const existing = await tx('mlops_reference_profiles')
        .where({ model_ref: profile.modelRef, version: profile.version })
        .first('feature');
      if (existing) {
        throw new ConflictError(`Version ${profile.version} of ${profile.modelRef} already has a reference profile; profiles are immutable`);
      }
      // One statement over both tables: a compaction committing between two would hide the rows.
      const [telemetry] = await tx('mlops_summaries')
        .where({ model_ref: profile.modelRef, version: profile.version })
        .select('feature')
        .unionAll(tx('mlops_summary_deltas').where({ model_ref: profile.modelRef, version: profile.version }).select('feature'))
        .limit(1);
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
      if (profile.calibration) {
        await tx('mlops_score_calibrations').insert({
          model_ref: profile.modelRef,
          version: profile.version,
          outcome: profile.calibration.outcome,
          calibration: JSON.stringify(profile.calibration),
          created_at: profile.createdAt,
        });
      }
    });
  }

  async scoreCalibration(modelRef: string, version: string): Promise<ScoreCalibration | undefined> {
    const row = await this.db('mlops_score_calibrations').where({ model_ref: modelRef, version }).first('calibration');
    return row ? (JSON.parse(row.calibration) as ScoreCalibration) : undefined;
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
    // Profiles are immutable once written, and every drift answer reads its model's: parsed once.
    const key = `${modelRef}\u0000${version}`;
    const cached = this.profiles.get(key);
    if (cached) {
      this.profiles.delete(key);
      this.profiles.set(key, cached);
      return cached;
    }
    const profile = this.toProfile(await this.db('mlops_reference_profiles').where({ model_ref: modelRef, version }).orderBy('feature'));
    if (profile) {
      this.profiles.set(key, profile);
      if (this.profiles.size > PARSED_PROFILES) this.profiles.delete(this.profiles.keys().next().value!);
    }
    return profile;
  }

  async latestReferenceProfile(modelRef: string) {
    const newest = await this.db('mlops_reference_profiles')
      .where({ model_ref: modelRef })
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc')
      .first('version');
    return newest ? this.getReferenceProfile(modelRef, newest.version) : undefined;
  }

  /** Since when hour and day rows hold everything (rows carried over from before them do not). */
  private async rollupsStart(): Promise<number> {
    this.rollupsSince ??= this.db('mlops_telemetry_state')
      .where('key', 'rollups_since')
      .first('value')
      .then(row => Number(row?.value ?? 0));
    return this.rollupsSince;
  }

  async readSummaries(query: SummaryQuery): Promise<StoredSummary[]> {
    // Rows coarser than 5 minutes exist only from `since` on (in databases older than the rollups).
    const since = query.resolution === 'coarsest' ? await this.rollupsStart() : 0;
    const ranges = coverKept(query.from, query.to, this.keptFrom(), (from, to) =>
      query.resolution === 'coarsest' ? coverWithRollups(from, to, since, query.maxBucketMs) : [[BUCKET_MS, from, to]],
    );
    if (!ranges.length) return [];
    const select = (table: string, appended: number) => {
      const q = whereModelInRanges(this.db(table), query.modelRef, ranges);
      if (query.version) q.where('version', query.version);
      if (query.segments) q.whereIn('segment', query.segments);
      // Appended rows pack their features: those are picked after reading.
      if (query.features) q.whereIn('feature', appended ? [...query.features, PACKED] : query.features);
      return q.select('version', 'layout_version', 'segment', 'feature', 'bucket_ms', 'bucket_start', 'summary', this.db.raw(`${appended} as appended`));
    };
    // One statement, so a compaction committing meanwhile is seen entirely or not at all.
    const rows = await select('mlops_summaries', 0).unionAll(select('mlops_summary_deltas', 1));
    const toSummary = (r: any, summary: EncodedSummary): StoredSummary => ({
      modelRef: query.modelRef,
      version: r.version,
      segment: r.segment,
      feature: r.feature,
      bucketStart: Number(r.bucket_start),
      bucketMs: Number(r.bucket_ms),
      layoutVersion: r.layout_version || null,
      summary,
    });
    if (!rows.some(r => Number(r.appended) === 1)) return rows.map(r => toSummary(r, decodeStored(r.summary)));
    // Rows not yet compacted: one summary per key, as compaction will store it.
    const wanted = query.features ? new Set(query.features) : undefined;
    const byKey = new Map<string, StoredSummary>();
    for (const stored of rows) {
      const unpacked = Number(stored.appended) === 1 ? appendedSummaries(stored, wanted && (f => wanted.has(f))) : [{ ...stored, decoded: decodeStored(stored.summary) }];
      for (const r of unpacked) {
        const key = summaryKey({ ...r, layoutVersion: r.layout_version }, Number(r.bucket_ms), Number(r.bucket_start));
        const existing = byKey.get(key);
        if (existing) existing.summary = mergeEncoded(existing.summary as EncodedSummary, r.decoded);
        else byKey.set(key, toSummary(r, r.decoded));
      }
    }
    return [...byKey.values()];
  }

  async telemetryKeys(modelRef: string, from: number, to: number) {
    // An appended row packs its bucket's event counts with its features.
    const keys = (table: string) =>
      this.db(table)
        .where({ model_ref: modelRef, bucket_ms: BUCKET_MS })
        .whereIn('feature', [EVENTS, PACKED])
        .where('bucket_start', '>=', from)
        .where('bucket_start', '<', to)
        .select('version', 'segment');
    return keys('mlops_summaries').union(keys('mlops_summary_deltas'));
  }

  async activeModels(since: number): Promise<string[]> {
    const models = (table: string) => this.db(table).where('bucket_ms', BUCKET_MS).where('bucket_start', '>=', since).whereIn('feature', [EVENTS, PACKED]).select('model_ref');
    const rows = await models('mlops_summaries').union(models('mlops_summary_deltas'));
    return rows.map(r => r.model_ref).sort();
  }

  async labelledPredictions(modelRef: string, outcome: string, from: number, to: number, limit: number): Promise<LabelledPrediction[]> {
    const labels = this.db('mlops_outcome_events')
      .where('outcome', outcome)
      .groupBy('request_id')
      .select('request_id')
      .max({ value: 'value' })
      .as('o');
    const rows = await this.db('mlops_prediction_events as p')
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

  async labelCounts(modelRef: string, version: string | undefined, outcome: string, from: number, to: number) {
    // Whole minutes from the counts. A window starting inside a minute must not count what came
    // before `from` (a canary's first step must not see the challenger's shadow predictions of the
    // minutes before it): that minute's part is joined from raw rows, or, when it is the larger
    // part, the minute is counted whole and the part before `from` taken off (at most half a minute
    // of raw rows either way).
    const minuteStart = labelBucketOf(from);
    const firstWhole = from === minuteStart ? from : minuteStart + LABEL_BUCKET_MS;
    const none = { n: 0, positives: 0 };
    if (firstWhole >= to || firstWhole - from <= from - minuteStart) {
      // The minute's part after `from` is the smaller side (or the whole window lies in it).
      const partial = from < firstWhole ? await this.rawLabelCounts(modelRef, version, outcome, from, Math.min(firstWhole, to)) : none;
      if (firstWhole >= to) return partial;
      const whole = await this.countedLabels(modelRef, version, outcome, firstWhole, to);
      return { n: partial.n + whole.n, positives: partial.positives + whole.positives };
    }
    const [whole, before] = [await this.countedLabels(modelRef, version, outcome, minuteStart, to), await this.rawLabelCounts(modelRef, version, outcome, minuteStart, from)];
    // A label stored but not yet counted (its commit's count still running) must not go negative.
    return { n: whole.n - before.n, positives: Math.max(0, whole.positives - before.positives) };
  }

  /** Predictions and positive labels from the counts, of the minutes that begin in [from, to). */
  private async countedLabels(modelRef: string, version: string | undefined, outcome: string, from: number, to: number) {
    const query = this.db('mlops_label_counts')
      .where('model_ref', modelRef)
      .whereIn('outcome', [PREDICTIONS, outcome])
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to);
    if (version) query.where('version', version);
    const rows: Array<{ outcome: string; count: number | string | null }> = await query.groupBy('outcome').select('outcome').sum({ count: 'count' });
    const count = (name: string) => Number(rows.find(r => r.outcome === name)?.count ?? 0);
    return { n: count(PREDICTIONS), positives: count(outcome) };
  }

  /** Predictions made in [from, to) and those with a positive label, joined from raw rows. */
  private async rawLabelCounts(modelRef: string, version: string | undefined, outcome: string, from: number, to: number) {
    const query = this.db('mlops_prediction_events as p').where('p.model_ref', modelRef).where('p.occurred_at', '>=', from).where('p.occurred_at', '<', to);
    if (version) query.where('p.version', version);
    // A correlated lookup through the outcomes' request index, not a scan of every outcome.
    const [row] = await query.select(
      this.db.raw('count(*) as n'),
      this.db.raw('sum(case when exists (select 1 from mlops_outcome_events o where o.request_id = p.request_id and o.outcome = ? and o.value > 0) then 1 else 0 end) as positives', [outcome]),
    );
    return { n: Number(row?.n ?? 0), positives: Number(row?.positives ?? 0) };
  }

  async pairedScores(modelRef: string, first: string, second: string, from: number, to: number, limit: number) {
    // Two range scans through the (model, time) index, joined here: no request-id index needed.
    const window = (version: string, until: number) =>
      this.db('mlops_prediction_events')
        .where({ model_ref: modelRef, version })
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', until)
        .whereNotNull('score')
        .orderBy('occurred_at');
    const seconds = await window(second, to).limit(limit).select('request_id', 'occurred_at', 'score');
    const pairs = { first: [] as number[], second: [] as number[] };
    if (!seconds.length) return pairs;
    // A mirrored request is answered by both within moments: the first's rows up to a minute later.
    const until = Math.min(to, Number(seconds[seconds.length - 1].occurred_at) + 60_000);
    const firsts = new Map<string, number>();
    for (const r of await window(first, until).limit(4 * limit).select('request_id', 'score')) firsts.set(r.request_id, Number(r.score));
    for (const r of seconds) {
      const score = firsts.get(r.request_id);
      if (score === undefined) continue;
      pairs.first.push(score);
      pairs.second.push(Number(r.score));
    }
    return pairs;
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
      ...(r.run_phase
        ? { run: { phase: r.run_phase, ...(r.run_message ? { message: r.run_message } : {}), finished: Boolean(r.run_finished), checkedAt: Number(r.run_checked_at) } }
        : {}),
    };
  }

  async unfinishedRuns(since: number, limit: number) {
    const rows = await this.db('mlops_retrain_triggers')
      .where({ status: 'submitted', run_finished: false })
      .where('created_at', '>=', since)
      .orderByRaw('run_checked_at IS NOT NULL, run_checked_at')
      .limit(limit);
    return rows.map(r => this.toTrigger(r));
  }

  async stopFollowing(id: string, at: number) {
    await this.db('mlops_retrain_triggers').where({ id }).update({ run_finished: true, run_checked_at: at });
  }

  async setTriggerRun(id: string, run: NonNullable<RetrainTrigger['run']>) {
    await this.db('mlops_retrain_triggers')
      .where({ id })
      .update({ run_phase: run.phase.slice(0, 24), run_message: run.message?.slice(0, 2000) ?? null, run_finished: run.finished, run_checked_at: run.checkedAt });
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

  async driftIncident(modelRef: string): Promise<DriftIncident | undefined> {
    const row = await this.db('mlops_drift_incidents').where('model_ref', modelRef).first();
    if (!row) return undefined;
    return { features: JSON.parse(row.features), openedAt: Number(row.opened_at), triggeredAt: row.triggered_at === null ? null : Number(row.triggered_at) };
  }

  async setDriftIncident(modelRef: string, incident: DriftIncident | null) {
    if (!incident) {
      await this.db('mlops_drift_incidents').where('model_ref', modelRef).delete();
      return;
    }
    await this.db('mlops_drift_incidents')
      .insert({ model_ref: modelRef, features: JSON.stringify(incident.features), opened_at: incident.openedAt, triggered_at: incident.triggeredAt })
      .onConflict('model_ref')
      .merge();
  }

  async recordSummaryChanges(changes: Array<{ modelRef: string; oldestBucket: number }>, replica: string, at: number) {
    if (!changes.length) return;
    await this.db('mlops_summary_changes').insert(changes.map(c => ({ model_ref: c.modelRef, oldest_bucket: c.oldestBucket, replica, at })));
  }

  async summaryChanges(since: number) {
    const rows = await this.db('mlops_summary_changes').where('at', '>=', since).orderBy('id');
    return rows.map(r => ({ id: Number(r.id), modelRef: r.model_ref as string, oldestBucket: Number(r.oldest_bucket), replica: r.replica as string, at: Number(r.at) }));
  }

  async stepVerdicts(modelRef: string, series: string, from: number, to: number) {
    const rows = await this.db('mlops_step_verdicts')
      .where({ model_ref: modelRef, series })
      .where('step_start', '>=', from)
      .where('step_start', '<', to)
      .select('step_start', 'verdict', 'computed_at');
    return rows.map(r => ({ start: Number(r.step_start), verdict: r.verdict as string, computedAt: Number(r.computed_at) }));
  }

  async putStepVerdicts(modelRef: string, series: string, steps: Array<{ start: number; end: number; verdict: string }>, computedAt: number) {
    for (let i = 0; i < steps.length; i += 200) {
      await this.db('mlops_step_verdicts')
        .insert(steps.slice(i, i + 200).map(s => ({ model_ref: modelRef, series, step_start: s.start, step_end: s.end, verdict: s.verdict, computed_at: computedAt })))
        .onConflict(['model_ref', 'series', 'step_start'])
        .merge(['step_end', 'verdict', 'computed_at']);
    }
  }

  async dropStepVerdicts(modelRef: string, after: number) {
    await this.db('mlops_step_verdicts').where('model_ref', modelRef).where('step_end', '>', after).delete();
  }

  async pruneSummaryChanges(before: number) {
    await this.db('mlops_summary_changes').where('at', '<', before).delete();
  }

  async putDriftSignals(modelRef: string, signals: DriftSignals, computedAt: number) {
    await this.db('mlops_drift_signals').insert({ model_ref: modelRef, computed_at: computedAt, signals: JSON.stringify(signals) }).onConflict('model_ref').merge();
  }

  async driftSignals(since: number) {
    const rows = await this.db('mlops_drift_signals').where('computed_at', '>=', since).orderBy('model_ref');
    return rows.map(row => ({ modelRef: row.model_ref as string, computedAt: Number(row.computed_at), signals: JSON.parse(row.signals) as DriftSignals }));
  }

  async purge(before: { rawEvents: number; summaries: Record<number, number> }): Promise<number> {
    let removed = 0;
    removed += await this.db('mlops_prediction_events').where('occurred_at', '<', before.rawEvents).delete();
    removed += await this.db('mlops_outcome_events').where('occurred_at', '<', before.rawEvents).delete();
    // Events older than the raw retention are refused at ingestion, so their ranges are no longer needed.
    removed += await this.db('mlops_sequence_ranges').where('newest_at', '<', before.rawEvents).delete();
    // A purged prediction gets no more labels, so its claims are no longer needed; its counts stay
    // as long as the daily summaries they are read beside.
    removed += await this.db('mlops_label_claims').where('occurred_at', '<', before.rawEvents).delete();
    // Kept drift verdicts as old as the raw events are recomputed if asked for again.
    removed += await this.db('mlops_step_verdicts').where('computed_at', '<', before.rawEvents).delete();
    const daily = before.summaries[RESOLUTIONS[2]];
    if (daily !== undefined) removed += await this.db('mlops_label_counts').where('bucket_start', '<=', daily - LABEL_BUCKET_MS).delete();
    for (const bucketMs of RESOLUTIONS) {
      const cutoff = before.summaries[bucketMs];
      if (cutoff === undefined) continue;
      removed += await this.db('mlops_summaries').where('bucket_ms', bucketMs).where('bucket_start', '<=', cutoff - bucketMs).delete();
      removed += await this.db('mlops_summary_deltas').where('bucket_ms', bucketMs).where('bucket_start', '<=', cutoff - bucketMs).delete();
    }
    return removed;
  }

  async compressSummaries(before: number, limit = 5_000): Promise<number> {
    const pg = String(this.db.client.config.client).includes('pg');
    // Rows not yet deflated (9) and not JSON (123, rows the codec cannot hold; left as they are).
    const firstByte = pg ? 'get_byte(summary, 0) not in (9, 123)' : "hex(substr(summary, 1, 1)) not in ('09', '7B')";
    const keys = ['model_ref', 'bucket_ms', 'bucket_start', 'version', 'layout_version', 'segment', 'feature'];
    let looked = 0;
    let compressed = 0;
    for (const bucketMs of RESOLUTIONS.slice(1)) {
      // Rows that do not shrink (a small summary) stay plain and match again: paged past, in key order.
      let kept = 0;
      while (looked < limit) {
        const rows = await this.db('mlops_summaries')
          .where('bucket_ms', bucketMs)
          .where('bucket_start', '<=', before - bucketMs)
          .whereRaw(firstByte)
          .orderBy(keys)
          .offset(kept)
          .limit(Math.min(500, limit - looked))
          .select([...keys, 'summary']);
        if (!rows.length) break;
        const changed = await this.db.transaction(async tx => {
          let n = 0;
          for (const row of rows) {
            const packed = encodeStoredCompressed(decodeStored(row.summary));
            if (packed[0] !== 9) continue;
            // Compare and set: a compaction that merged late data into the row meanwhile wins (and
            // its plain row is compressed next time).
            const key = Object.fromEntries(keys.map(k => [k, row[k]]));
            n += await tx('mlops_summaries').where(key).where('summary', row.summary).update({ summary: packed });
          }
          return n;
        });
        compressed += changed;
        kept += rows.length - changed;
        looked += rows.length;
      }
    }
    return compressed;
  }

}
