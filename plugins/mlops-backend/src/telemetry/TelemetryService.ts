import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ModelPolicy, segmentDimensions as segmentTagsOf } from '@modelrails/plugin-mlops-common';
import {
  addFeatureValue,
  addLog,
  addToTally,
  CategoricalSummary,
  countUnbinnable,
  emptyCategorical,
  emptyLog,
  emptyTally,
  encodeSummary,
  encodeTally,
  decodeSummary,
  EncodedSummary,
  EventCounts,
  layoutFromSample,
  locatorOf,
  LOG_ACCURACY,
  LOG_MIN_VALUE,
  logBinIndex,
  LogSummary,
  MAX_CATEGORIES,
  NUMERIC_BINS,
  NumericLayout,
  numericSummaryFromSample,
  NumericTally,
} from '../stats/summaries';
import { BatchOutcome, OutcomeRow, PredictionRow, ReferenceFeature, ReferenceProfile, SummaryDelta, TelemetryStore } from './TelemetryStore';
import { fitCalibration, ScoreCalibration } from '../stats/cbpe';
import * as v from './validate';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { latencyBudgetMs } from '../metrics/predictionLatency';
import { oldestBucketPerModel, TelemetryChanges } from './TelemetryChanges';
import { PolicyLookup } from '../policy/PolicyLookup';
import {
  ALL_TRAFFIC,
  BUCKET_MS,
  bucketOf,
  EVENTS,
  INPUT_TOKENS,
  LATENCY,
  LLM_SUMMARIES,
  OUTPUT_TOKENS,
  OUTPUT_TOKENS_PER_SECOND,
  SCORE,
  targetFeature,
  TIME_TO_FIRST_TOKEN,
} from './constants';

/** The pre-aggregated profile's LLM log summaries and the rows they are stored as. */
const LLM_PROFILE_FIELDS = [
  ['inputTokens', INPUT_TOKENS],
  ['outputTokens', OUTPUT_TOKENS],
  ['timeToFirstTokenMs', TIME_TO_FIRST_TOKEN],
  ['outputTokensPerSecond', OUTPUT_TOKENS_PER_SECOND],
] as const;

/** Label counts as a two-category summary, so target drift runs the categorical engine. */
export function labelSummary(counts: { n: number; positives: number }) {
  const summary = emptyCategorical();
  if (counts.positives) summary.counts.set('positive', counts.positives);
  if (counts.n - counts.positives) summary.counts.set('negative', counts.n - counts.positives);
  summary.n = counts.n;
  return summary;
}

/** What a serving fleet posts. */
export type IngestKind = 'predictions' | 'outcomes' | 'profiles';

/**
 * Everything a serving fleet needs to send profiles the ingest accepts: the features the version's
 * layout bins (with their numeric layouts), the Model's segment tags, the bucket and the limits.
 */
export type TelemetryLayout = {
  modelRef: string;
  version: string;
  /** The version whose training profile fixed the bins (this one's, else the model's newest); null without any. */
  layoutVersion: string | null;
  bucketMinutes: number;
  segments: string[];
  features: Array<{ name: string; kind: 'numeric' | 'categorical'; layout?: NumericLayout }>;
  limits: { eventsPerBatch: number; profilesPerBatch: number; featuresPerEvent: number; maxCategories: number; logAccuracy: number };
};

/** The bins telemetry of a version is summarised into: its own profile's, else the model's newest. */
export type VersionLayout = {
  layoutVersion: string | null;
  features: Map<string, { kind: 'numeric' | 'categorical'; layout: NumericLayout | null }>;
};

export type TelemetryServiceOptions = {
  store: TelemetryStore;
  policies: PolicyLookup;
  metrics?: TelemetryMetrics;
  /** Share of events whose raw features are kept (deterministic by request id). */
  rawSampleRate?: number;
  /** Events older than this are dropped at ingestion (they would be purged anyway). */
  retentionMs?: number;
  /** This replica's name: its commits are announced to the others (the change feed) when set. */
  replica?: string;
  logger?: LoggerService;
  now?: () => number;
};

const CACHE_MS = 30_000;
/** The fields a prediction event may have. */
export const EVENT_FIELDS = [
  'model',
  'version',
  'requestId',
  'queryId',
  'source',
  'sequence',
  'time',
  'features',
  'score',
  'latencyMs',
  'inputTokens',
  'outputTokens',
  'timeToFirstTokenMs',
  'error',
  'segment',
] as const;

/** An LLM request's tokens and time to first token; null when the event carries none of them. */
function llmFields(e: Record<string, unknown>, ef: Record<'inputTokens' | 'outputTokens' | 'timeToFirstTokenMs', v.Fields>, latencyMs: number | null) {
  if (e.inputTokens === undefined && e.outputTokens === undefined && e.timeToFirstTokenMs === undefined) return null;
  const count = (value: unknown, f: v.Fields) => (value === undefined || value === null ? null : v.sequence(value, f));
  const inputTokens = count(e.inputTokens, ef.inputTokens);
  const outputTokens = count(e.outputTokens, ef.outputTokens);
  const timeToFirstTokenMs = v.optionalFinite(e.timeToFirstTokenMs, ef.timeToFirstTokenMs);
  if (timeToFirstTokenMs !== null && timeToFirstTokenMs < 0) ef.timeToFirstTokenMs.fail('must not be negative');
  if (timeToFirstTokenMs !== null && latencyMs !== null && timeToFirstTokenMs > latencyMs) ef.timeToFirstTokenMs.fail('must not exceed latencyMs (the whole answer)');
  return { inputTokens, outputTokens, timeToFirstTokenMs };
}

/** A request's decode rate in tokens per second: the tokens after the first over the time after it. */
export function decodeRate(llm: NonNullable<PredictionRow['llm']>, latencyMs: number | null): number | null {
  const { outputTokens, timeToFirstTokenMs } = llm;
  if (outputTokens === null || outputTokens < 2 || timeToFirstTokenMs === null || latencyMs === null || latencyMs <= timeToFirstTokenMs) return null;
  return (outputTokens - 1) / ((latencyMs - timeToFirstTokenMs) / 1000);
}

/** FNV-1a: a stable hash of the request id decides raw-event sampling on every replica alike. */
function sampled(requestId: string, rate: number) {
  if (rate >= 1) return true;
  let h = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) h = Math.imul(h ^ requestId.charCodeAt(i), 0x01000193) >>> 0;
  return h / 4294967296 < rate;
}

export function normalizeModelRef(value: unknown, f: v.Fields): string {
  if (typeof value !== 'string') f.fail('must be a string');
  try {
    const ref = parseEntityRef(value, { defaultKind: 'model', defaultNamespace: 'default' });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'model') f.fail('must name a Model entity');
    return stringifyEntityRef(ref);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return f.fail('must be an entity reference such as "model:default/home-feed-ranker"');
  }
}

/**
 * Telemetry from serving fleets: batches committed exactly once (a 2xx means committed), summarised
 * as they arrive, and versions' training profiles.
 */
export interface TelemetryService {
  /** Tells which model's telemetry changed, so cached answers can be dropped. */
  readonly changes: TelemetryChanges;
  policy(modelRef: string): Promise<ModelPolicy | undefined>;
  /** The Model's policy; NotFoundError when the catalog does not know the Model. */
  requirePolicy(modelRef: string): Promise<ModelPolicy>;
  layout(modelRef: string, version: string): Promise<VersionLayout>;
  ingestPredictions(body: unknown): Promise<BatchOutcome & { dropped: number }>;
  ingestOutcomes(body: unknown): Promise<BatchOutcome>;
  ingestProfiles(body: unknown): Promise<BatchOutcome & { dropped: number }>;
  ingest(kind: IngestKind, body: unknown): Promise<BatchOutcome & { dropped?: number }>;
  referenceProfile(modelRef: string, version: string): Promise<ReferenceProfile>;
  telemetryLayout(modelRef: string, version: string): Promise<TelemetryLayout>;
  putReferenceProfile(modelRef: string, version: string, body: unknown): Promise<ReferenceProfile>;
}

export class DefaultTelemetryService implements TelemetryService {
  /** Tells caches of answers computed from summaries what this process commits. */
  readonly changes = new TelemetryChanges();
  private readonly policyCache = new Map<string, { at: number; policy: Promise<ModelPolicy | undefined> }>();
  private readonly layoutCache = new Map<string, { at: number; layout: Promise<VersionLayout> }>();
  private readonly now: () => number;

  constructor(private readonly options: TelemetryServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The Model's policy; NotFoundError when the catalog does not know the Model. */
  async requirePolicy(modelRef: string): Promise<ModelPolicy> {
    const policy = await this.policy(modelRef);
    if (!policy) throw new NotFoundError(`No Model entity ${modelRef}`);
    return policy;
  }

  policy(modelRef: string): Promise<ModelPolicy | undefined> {
    const cached = this.policyCache.get(modelRef);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.policy;
    const policy = this.options.policies(modelRef);
    this.policyCache.set(modelRef, { at: this.now(), policy });
    // A model the catalog does not know yet is asked about again next time.
    policy.then(
      found => (found ? undefined : this.policyCache.delete(modelRef)),
      () => this.policyCache.delete(modelRef),
    );
    return policy;
  }

  layout(modelRef: string, version: string): Promise<VersionLayout> {
    const key = `${modelRef}@${version}`;
    const cached = this.layoutCache.get(key);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.layout;
    const layout = (async () => {
      const profile =
        (await this.options.store.getReferenceProfile(modelRef, version)) ??
        (await this.options.store.latestReferenceProfile(modelRef));
      const features = new Map<string, { kind: 'numeric' | 'categorical'; layout: NumericLayout | null }>();
      for (const f of profile?.features ?? []) {
        // Pseudo-features (the score, the target) are not binned from events' features.
        if ((f.kind === 'numeric' || f.kind === 'categorical') && !f.feature.startsWith('__')) features.set(f.feature, { kind: f.kind, layout: f.layout });
      }
      return { layoutVersion: profile?.version ?? null, features };
    })();
    this.layoutCache.set(key, { at: this.now(), layout });
    layout.catch(() => this.layoutCache.delete(key));
    return layout;
  }

  private async segmentDimensions(modelRefs: Iterable<string>, f: (ref: string) => v.Fields) {
    const dims = new Map<string, string[]>();
    for (const ref of modelRefs) {
      const policy = await this.policy(ref);
      if (!policy) throw new InputError(`${f(ref).path}: no Model entity ${ref} in the catalog`);
      dims.set(ref, segmentTagsOf(policy));
    }
    return dims;
  }

  /** Validates and commits a batch of prediction events; 2xx only after commit. */
  async ingestPredictions(body: unknown): Promise<BatchOutcome & { dropped: number }> {
    const root = new v.Fields('');
    const o = v.object(body, root, ['batchId', 'source', 'events']);
    const batchId = v.id(o.batchId, root.at('batchId'));
    const defaultSource = v.optionalId(o.source, root.at('source'));
    const events = v.array(o.events, root.at('events'), v.INGEST_LIMITS.eventsPerBatch);
    const now = this.now();
    const oldest = now - (this.options.retentionMs ?? 7 * 86_400_000);
    const sampleRate = this.options.rawSampleRate ?? 0.01;
    const rows: PredictionRow[] = [];
    const firstIndexOfModel = new Map<string, number>();
    const eventFields = root.at('events');
    const cursor = new v.ItemCursor(eventFields, EVENT_FIELDS);
    const ef = cursor.fields;
    let dropped = 0;
    let lastModel: unknown;
    let lastModelRef = '';
    for (let i = 0; i < events.length; i++) {
      const f = cursor.moveTo(i);
      const e = v.object(events[i], f, EVENT_FIELDS);
      // Batches usually hold one model: parse its reference once.
      const modelRef = e.model === lastModel && typeof e.model === 'string' ? lastModelRef : normalizeModelRef(e.model, ef.model);
      lastModel = e.model;
      lastModelRef = modelRef;
      if (!firstIndexOfModel.has(modelRef)) firstIndexOfModel.set(modelRef, i);
      const source = v.optionalId(e.source, ef.source) ?? defaultSource ?? ef.source.fail('is required (per event or for the batch)');
      const occurredAt = v.time(e.time, ef.time);
      if (occurredAt > now + 5 * 60_000) ef.time.fail('is more than 5 minutes in the future');
      if (e.error !== undefined && typeof e.error !== 'boolean') ef.error.fail('must be a boolean');
      const latency = v.optionalFinite(e.latencyMs, ef.latencyMs);
      if (latency !== null && latency < 0) ef.latencyMs.fail('must not be negative');
      const requestId = v.id(e.requestId, ef.requestId);
      const row: PredictionRow = {
        source,
        sequence: v.sequence(e.sequence, ef.sequence),
        modelRef,
        version: v.id(e.version, ef.version),
        requestId,
        queryId: v.optionalId(e.queryId, ef.queryId) ?? null,
        occurredAt,
        segment: v.tags(e.segment, ef.segment),
        score: v.optionalFinite(e.score, ef.score),
        latencyMs: latency,
        llm: llmFields(e, ef, latency),
        error: e.error === true,
        features: v.features(e.features, ef.features),
        keepFeatures: sampled(requestId, sampleRate),
      };
      if (occurredAt < oldest) dropped++;
      else rows.push(row);
    }
    const dims = await this.segmentDimensions(firstIndexOfModel.keys(), ref =>
      eventFields.at(firstIndexOfModel.get(ref)!).at('model'),
    );
    const layouts = new Map<string, VersionLayout>();
    for (const r of rows) {
      const key = `${r.modelRef}@${r.version}`;
      if (!layouts.has(key)) layouts.set(key, await this.layout(r.modelRef, r.version));
    }
    // The summaries of the events that were new (duplicates are left out before summarizing).
    let committed: SummaryDelta[] = [];
    const outcome = await this.options.store.commitPredictions(batchId, rows, fresh => (committed = summarizePredictions(fresh, layouts, dims)));
    this.options.metrics?.countBatch('predictions', outcome, dropped);
    // A redelivered batch wrote nothing: no cache is stale and nothing more was served.
    if (!outcome.redelivered) {
      await this.announce(oldestBucketPerModel(rows, r => bucketOf(r.occurredAt)));
      await this.countServed(committed);
    }
    return { ...outcome, dropped };
  }

  async ingestOutcomes(body: unknown): Promise<BatchOutcome> {
    const root = new v.Fields('');
    const o = v.object(body, root, ['batchId', 'source', 'outcomes']);
    const batchId = v.id(o.batchId, root.at('batchId'));
    const defaultSource = v.optionalId(o.source, root.at('source'));
    const items = v.array(o.outcomes, root.at('outcomes'), v.INGEST_LIMITS.eventsPerBatch);
    const rows: OutcomeRow[] = items.map((raw, i) => {
      const f = root.at('outcomes').at(i);
      const e = v.object(raw, f, ['requestId', 'source', 'sequence', 'outcome', 'value', 'time']);
      const outcome = v.id(e.outcome, f.at('outcome'));
      if (!/^[a-z][a-z0-9_]{0,63}$/.test(outcome)) f.at('outcome').fail('must be lower_snake_case, such as "click"');
      return {
        source: v.optionalId(e.source, f.at('source')) ?? defaultSource ?? f.at('source').fail('is required (per outcome or for the batch)'),
        sequence: v.sequence(e.sequence, f.at('sequence')),
        requestId: v.id(e.requestId, f.at('requestId')),
        outcome,
        value: e.value === undefined ? 1 : v.finite(e.value, f.at('value')),
        occurredAt: v.time(e.time, f.at('time')),
      };
    });
    const outcome = await this.options.store.commitOutcomes(batchId, rows);
    this.options.metrics?.countBatch('outcomes', outcome, 0);
    return outcome;
  }

  /**
   * Pre-aggregated profiles from serving fleets: the same summaries we store, binned with the
   * version's layout (GET …/versions/{version}/telemetry-layout), one per model, version, segment and bucket.
   */
  async ingestProfiles(body: unknown): Promise<BatchOutcome & { dropped: number }> {
    const root = new v.Fields('');
    const o = v.object(body, root, ['batchId', 'source', 'profiles']);
    const batchId = v.id(o.batchId, root.at('batchId'));
    const defaultSource = v.optionalId(o.source, root.at('source'));
    const items = v.array(o.profiles, root.at('profiles'), v.INGEST_LIMITS.profilesPerBatch);
    const receipts: Array<{ source: string; sequence: number; bucketStart: number; deltas: SummaryDelta[] }> = [];
    const oldest = this.now() - (this.options.retentionMs ?? 7 * 86_400_000);
    let dropped = 0;
    for (let i = 0; i < items.length; i++) {
      const f = root.at('profiles').at(i);
      const p = v.object(items[i], f, [
        'model',
        'version',
        'source',
        'sequence',
        'bucketStart',
        'segment',
        'events',
        'errors',
        'features',
        'score',
        'latencyMs',
        ...LLM_PROFILE_FIELDS.map(([field]) => field),
      ]);
      const modelRef = normalizeModelRef(p.model, f.at('model'));
      const policy = await this.policy(modelRef);
      if (!policy) throw new InputError(`${f.at('model').path}: no Model entity ${modelRef} in the catalog`);
      const version = v.id(p.version, f.at('version'));
      const bucketStart = v.time(p.bucketStart, f.at('bucketStart'));
      if (bucketStart % BUCKET_MS !== 0) f.at('bucketStart').fail('must start a 5-minute bucket');
      const segment = v.tags(p.segment, f.at('segment'));
      const segmentKeys = Object.entries(segment);
      if (segmentKeys.length > 1) f.at('segment').fail('a profile covers all traffic ({}) or one segment tag');
      const segmentKey = segmentKeys.length ? `${segmentKeys[0][0]}=${segmentKeys[0][1]}` : ALL_TRAFFIC;
      const dimensions = segmentTagsOf(policy);
      if (segmentKeys.length && !dimensions.includes(segmentKeys[0][0])) {
        f.at('segment').fail(`"${segmentKeys[0][0]}" is not among the model's segments (drift and KPIs: ${dimensions.join(', ') || 'none'})`);
      }
      const layout = await this.layout(modelRef, version);
      const events = v.sequence(p.events, f.at('events'));
      const errors = v.sequence(p.errors ?? 0, f.at('errors'));
      if (errors > events) f.at('errors').fail('must not exceed events');
      const base = { modelRef, version, segment: segmentKey, bucketStart, layoutVersion: layout.layoutVersion };
      const deltas: SummaryDelta[] = [{ ...base, feature: EVENTS, summary: { kind: 'events', n: events, errors } }];
      const featureSummaries = p.features === undefined ? {} : v.object(p.features, f.at('features'), [...layout.features.keys()]);
      for (const [name, summary] of Object.entries(featureSummaries)) {
        const spec = layout.features.get(name)!;
        deltas.push({ ...base, feature: name, summary: validateEncoded(summary, f.at('features').at(name), spec.kind, spec.layout) });
      }
      if (p.score !== undefined) deltas.push({ ...base, feature: SCORE, summary: validateEncoded(p.score, f.at('score'), 'log', null) });
      if (p.latencyMs !== undefined) deltas.push({ ...base, feature: LATENCY, summary: validateEncoded(p.latencyMs, f.at('latencyMs'), 'log', null) });
      for (const [field, feature] of LLM_PROFILE_FIELDS) {
        if (p[field] === undefined) continue;
        const summary = validateEncoded(p[field], f.at(field), 'log', null);
        // Each summarises at most one value per request.
        if (summary.kind === 'log' && summary.n > events) f.at(field).fail(`summarises ${summary.n} requests, more than the profile's ${events} events`);
        deltas.push({ ...base, feature, summary });
      }
      const receipt = {
        source: v.optionalId(p.source, f.at('source')) ?? defaultSource ?? f.at('source').fail('is required (per profile or for the batch)'),
        sequence: v.sequence(p.sequence, f.at('sequence')),
        bucketStart,
        deltas,
      };
      // Like events: a bucket older than the retention is dropped (its idempotency keys are gone).
      if (bucketStart + BUCKET_MS <= oldest) dropped++;
      else receipts.push(receipt);
    }
    const outcome = await this.options.store.commitProfiles(batchId, receipts);
    if (!outcome.redelivered) await this.announce(oldestBucketPerModel(receipts.flatMap(r => r.deltas), d => d.bucketStart));
    this.options.metrics?.countBatch('profiles', outcome, dropped);
    // A batch with repeated profiles does not say which were new: it is left out of the serving
    // counters rather than counted twice (the stored summaries are exact either way).
    if (!outcome.redelivered && outcome.duplicates === 0) await this.countServed(receipts.flatMap(r => r.deltas));
    return { ...outcome, dropped };
  }

  /**
   * Tells this replica's caches at once, and the other replicas through the change feed. The batch
   * is committed already: a failed announcement is logged, and the others' caches expire on their own.
   */
  private async announce(oldest: Map<string, number>) {
    for (const [modelRef, bucket] of oldest) this.changes.committed(modelRef, bucket);
    if (!oldest.size) return;
    if (this.options.replica) {
      try {
        await this.options.store.recordSummaryChanges([...oldest].map(([modelRef, oldestBucket]) => ({ modelRef, oldestBucket })), this.options.replica, this.now());
      } catch (error) {
        this.options.logger?.warn(`Could not announce a commit to the other replicas: ${(error as Error).message}`);
      }
    }
    // Then the verdicts kept in the database of the steps the commit reached into. After the
    // announcements: a drift series that keeps verdicts judged before this commit either sees an
    // announcement when it checks after keeping them, or kept them before they are deleted here
    // (drift/DriftService). Announced here once more, so a verdict read from the database before
    // the deletion leaves no replica's memory stale.
    for (const [modelRef, bucket] of oldest) {
      try {
        await this.options.store.dropStepVerdicts(modelRef, bucket);
      } catch (error) {
        this.options.logger?.warn(`Could not forget ${modelRef}'s stale drift verdicts: ${(error as Error).message}`);
      }
      this.changes.committed(modelRef, bucket);
    }
  }

  /** Committed predictions into the serving counters and latency histogram (all-traffic summaries). */
  private async countServed(deltas: SummaryDelta[]) {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const budgets = new Map<string, number | undefined>();
    for (const d of deltas) {
      if (d.segment !== ALL_TRAFFIC) continue;
      const labels = { model: d.modelRef, version: d.version };
      if (d.feature === EVENTS && d.summary.kind === 'events') metrics.countPredictions(labels, d.summary.n, d.summary.errors);
      if ((d.feature === INPUT_TOKENS || d.feature === OUTPUT_TOKENS) && d.summary.kind === 'log') {
        metrics.countTokens(labels, d.feature === INPUT_TOKENS ? 'input' : 'output', d.summary.sum);
      }
      if (d.feature === LATENCY && d.summary.kind === 'log') {
        if (!budgets.has(d.modelRef)) {
          const policy = await this.policy(d.modelRef).catch(() => undefined);
          budgets.set(d.modelRef, policy ? latencyBudgetMs(policy) : undefined);
        }
        metrics.observeLatency(labels, decodeSummary(d.summary) as LogSummary, budgets.get(d.modelRef));
      }
    }
  }

  /**
   * A version's training-data profile. Numeric features come as a sample (the layout is taken
   * from its quantiles) and categorical ones as counts; the score as a sample.
   */
  /**
   * Ingests one batch of a kind. A 2xx means committed: bad input is an InputError (never retried);
   * anything else (the database above all) is a ServiceUnavailableError, worth a retry of the same
   * batch id. Both are counted as rejected.
   */
  async ingest(kind: IngestKind, body: unknown): Promise<BatchOutcome & { dropped?: number }> {
    const list: unknown = (body as Record<string, unknown> | undefined)?.[kind === 'predictions' ? 'events' : kind];
    const records = Array.isArray(list) ? list.length : 0;
    try {
      if (kind === 'predictions') return await this.ingestPredictions(body);
      if (kind === 'outcomes') return await this.ingestOutcomes(body);
      return await this.ingestProfiles(body);
    } catch (error) {
      if (error instanceof InputError || error instanceof NotAllowedError) {
        this.options.metrics?.countRejected(kind, records, false);
        throw error;
      }
      this.options.metrics?.countRejected(kind, 0, true);
      throw new ServiceUnavailableError(`Telemetry was not committed, retry the batch: ${(error as Error).message}`);
    }
  }

  /** The version's own training profile, else the model's newest; NotFoundError when it has none. */
  async referenceProfile(modelRef: string, version: string): Promise<ReferenceProfile> {
    const profile = (await this.options.store.getReferenceProfile(modelRef, version)) ?? (await this.options.store.latestReferenceProfile(modelRef));
    if (!profile) throw new NotFoundError(`No reference profile for ${modelRef} version ${version} or any other version`);
    return profile;
  }

  async telemetryLayout(modelRef: string, version: string): Promise<TelemetryLayout> {
    const policy = await this.requirePolicy(modelRef);
    const layout = await this.layout(modelRef, version);
    return {
      modelRef,
      version,
      layoutVersion: layout.layoutVersion,
      bucketMinutes: BUCKET_MS / 60_000,
      segments: segmentTagsOf(policy),
      features: [...layout.features].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, spec]) => ({ name, kind: spec.kind, ...(spec.layout ? { layout: spec.layout } : {}) })),
      limits: {
        eventsPerBatch: v.INGEST_LIMITS.eventsPerBatch,
        profilesPerBatch: v.INGEST_LIMITS.profilesPerBatch,
        featuresPerEvent: v.INGEST_LIMITS.featuresPerEvent,
        maxCategories: MAX_CATEGORIES,
        logAccuracy: LOG_ACCURACY,
      },
    };
  }

  async putReferenceProfile(modelRef: string, version: string, body: unknown): Promise<ReferenceProfile> {
    const root = new v.Fields('');
    const o = v.object(body, root, ['features', 'score', 'target']);
    const items = v.array(o.features, root.at('features'), 500);
    const features: ReferenceFeature[] = [];
    const seen = new Set<string>();
    items.forEach((raw, i) => {
      const f = root.at('features').at(i);
      const item = v.object(raw, f, ['name', 'type', 'sample', 'counts', 'nulls']);
      const name = v.id(item.name, f.at('name'));
      if (name.startsWith('__')) f.at('name').fail('must not start with __');
      if (seen.has(name)) f.at('name').fail(`"${name}" appears twice`);
      seen.add(name);
      const nulls = item.nulls === undefined ? 0 : v.sequence(item.nulls, f.at('nulls'));
      if (item.type === 'numeric') {
        const sample = numericSample(item.sample, f.at('sample'));
        const layout = layoutFromSample(sample, NUMERIC_BINS);
        const summary = numericSummaryFromSample(sample, layout);
        summary.nulls = nulls;
        features.push({ feature: name, kind: 'numeric', layout, summary: encodeSummary(summary) });
      } else if (item.type === 'categorical') {
        const counts = v.object(item.counts, f.at('counts'), Object.keys((item.counts ?? {}) as object));
        const entries = Object.entries(counts);
        if (!entries.length) f.at('counts').fail('must name at least one category');
        if (entries.length > MAX_CATEGORIES) f.at('counts').fail(`at most ${MAX_CATEGORIES} categories`);
        const summary = emptyCategorical();
        for (const [category, count] of entries) {
          const c = v.sequence(count, f.at('counts').at(category));
          if (c > 0) {
            summary.counts.set(category, c);
            summary.n += c;
          }
        }
        summary.nulls = nulls;
        features.push({ feature: name, kind: 'categorical', layout: null, summary: encodeSummary(summary) });
      } else {
        f.at('type').fail('must be "numeric" or "categorical"');
      }
    });
    let targetOutcome: string | undefined;
    let targetRate: ReferenceFeature | undefined;
    if (o.target !== undefined) {
      // The training data's label rate: the reference of target drift.
      const f = root.at('target');
      const target = v.object(o.target, f, ['outcome', 'positives', 'n']);
      const outcome = v.id(target.outcome, f.at('outcome'));
      const n = v.sequence(target.n, f.at('n'));
      const positives = v.sequence(target.positives, f.at('positives'));
      if (positives > n) f.at('positives').fail('must not exceed n');
      targetRate = { feature: targetFeature(outcome), kind: 'categorical', layout: null, summary: encodeSummary(labelSummary({ n, positives })) };
      targetOutcome = outcome;
    }
    let calibration: ScoreCalibration | undefined;
    if (o.score !== undefined) {
      const f = root.at('score');
      const score = v.object(o.score, f, ['sample', 'labels']);
      const sample = numericSample(score.sample, f.at('sample'));
      const summary = emptyLog();
      for (const x of sample) addLog(summary, x);
      features.push({ feature: SCORE, kind: 'log', layout: null, summary: encodeSummary(summary) });
      if (score.labels !== undefined) {
        // Labels of target.outcome for the same rows: the calibration that estimates performance before labels.
        const labels = v.array(score.labels, f.at('labels'), 100_000) as unknown[];
        if (labels.length !== sample.length) f.at('labels').fail(`must have one label per score (${sample.length}), not ${labels.length}`);
        labels.forEach((label, i) => {
          if (label !== 0 && label !== 1) f.at('labels').at(i).fail('must be 0 or 1');
        });
        if (!targetOutcome) root.at('target').fail('is required with score.labels: it names the outcome the labels are of');
        calibration = fitCalibration(sample, labels as number[], targetOutcome!);
      }
    }
    if (targetRate) features.push(targetRate);
    const profile = { modelRef, version, createdAt: this.now(), features, ...(calibration ? { calibration } : {}) };
    await this.options.store.putReferenceProfile(profile);
    this.layoutCache.clear();
    return profile;
  }
}

function numericSample(value: unknown, f: v.Fields): number[] {
  const sample = v.array(value, f, 100_000, 20) as unknown[];
  sample.forEach((x, i) => v.finite(x, f.at(i)));
  return sample as number[];
}

/** Checks a summary sent by a serving fleet against the kind and layout it must have. */
function validateEncoded(value: unknown, f: v.Fields, kind: 'numeric' | 'categorical' | 'log', layout: NumericLayout | null): EncodedSummary {
  const count = (x: unknown, g: v.Fields) => v.sequence(x, g);
  if (kind === 'categorical') {
    const o = v.object(value, f, ['kind', 'n', 'nulls', 'missing', 'typeMismatches', 'categories']);
    if (o.kind !== 'categorical') f.at('kind').fail('must be "categorical" for this feature');
    const categories = v.object(o.categories, f.at('categories'), Object.keys((o.categories ?? {}) as object));
    let n = 0;
    for (const [k, c] of Object.entries(categories)) n += count(c, f.at('categories').at(k));
    if (count(o.n, f.at('n')) !== n) f.at('n').fail('must equal the sum of the category counts');
    return { kind: 'categorical', n, nulls: count(o.nulls ?? 0, f.at('nulls')), missing: count(o.missing ?? 0, f.at('missing')), typeMismatches: count(o.typeMismatches ?? 0, f.at('typeMismatches')), categories: categories as Record<string, number> };
  }
  const o = v.object(value, f, kind === 'numeric'
    ? ['kind', 'n', 'nulls', 'missing', 'typeMismatches', 'sum', 'sumSquares', 'min', 'max', 'belowRange', 'aboveRange', 'bins', 'counts', 'ties', 'lowTail', 'highTail']
    : ['kind', 'n', 'zeros', 'sum', 'min', 'max', 'bins']);
  if (o.kind !== kind) f.at('kind').fail(`must be "${kind}" here`);
  const binCount = kind === 'numeric' ? layout!.edges.length + 1 : Infinity;
  let binned = kind === 'log' ? count(o.zeros ?? 0, f.at('zeros')) : 0;
  let dense: number[] | undefined;
  let bins: Array<[number, number]> | undefined;
  if (kind === 'numeric' && o.counts !== undefined) {
    // Dense form: counts from bin 0 (what stored hour and day rows use).
    if (o.bins !== undefined) f.at('bins').fail('give bins or counts, not both');
    dense = v.array(o.counts, f.at('counts'), binCount, 0).map((c, i) => count(c, f.at('counts').at(i)));
    binned += dense.reduce((s, c) => s + c, 0);
  } else {
    bins = v.array(o.bins, f.at('bins'), kind === 'numeric' ? binCount : 20_000, 0).map((item, i) => {
      const g = f.at('bins').at(i);
      if (!Array.isArray(item) || item.length !== 2) g.fail('must be a [bin index, count] pair');
      const pair = item as unknown[];
      const index = Number.isInteger(pair[0]) ? (pair[0] as number) : g.at(0).fail('must be an integer');
      if (kind === 'numeric' && (index < 0 || index >= binCount)) g.at(0).fail(`must be a bin of the layout (0 to ${binCount - 1})`);
      return [index, count(pair[1], g.at(1))] as [number, number];
    });
    binned += bins.reduce((s, [, c]) => s + c, 0);
  }
  const n = count(o.n, f.at('n'));
  if (binned !== n) f.at('n').fail('must equal the sum of the bin counts');
  const numericExtras = kind === 'numeric' ? validateTiesAndTails(o, f, binCount, dense ?? denseOfPairs(bins!, binCount)) : {};
  const extreme = (x: unknown, g: v.Fields) => (x === null || x === undefined ? null : v.finite(x, g));
  if (kind === 'log') {
    return { kind: 'log', n, zeros: count(o.zeros ?? 0, f.at('zeros')), sum: v.finite(o.sum ?? 0, f.at('sum')), min: extreme(o.min, f.at('min')), max: extreme(o.max, f.at('max')), bins: bins! };
  }
  return {
    kind: 'numeric',
    n,
    nulls: count(o.nulls ?? 0, f.at('nulls')),
    missing: count(o.missing ?? 0, f.at('missing')),
    typeMismatches: count(o.typeMismatches ?? 0, f.at('typeMismatches')),
    sum: v.finite(o.sum ?? 0, f.at('sum')),
    sumSquares: v.finite(o.sumSquares ?? 0, f.at('sumSquares')),
    min: extreme(o.min, f.at('min')),
    max: extreme(o.max, f.at('max')),
    belowRange: count(o.belowRange ?? 0, f.at('belowRange')),
    aboveRange: count(o.aboveRange ?? 0, f.at('aboveRange')),
    ...(dense ? { counts: dense } : { bins: bins! }),
    ...numericExtras,
  };
}

function denseOfPairs(pairs: Array<[number, number]>, length: number): number[] {
  const counts = new Array<number>(length).fill(0);
  for (const [i, c] of pairs) counts[i] += c;
  return counts;
}

/** [index, count] pairs, each index once; sorted by index. */
function indexedCounts(value: unknown, f: v.Fields, max: number, indexOk: (i: number) => string | null): Array<[number, number]> {
  const seen = new Set<number>();
  const pairs = v.array(value, f, max, 0).map((item, i) => {
    const g = f.at(i);
    if (!Array.isArray(item) || item.length !== 2) g.fail('must be an [index, count] pair');
    const pair = item as unknown[];
    const index = Number.isInteger(pair[0]) ? (pair[0] as number) : g.at(0).fail('must be an integer');
    const problem = indexOk(index);
    if (problem) g.at(0).fail(problem);
    if (seen.has(index)) g.at(0).fail(`${index} appears twice`);
    seen.add(index);
    return [index, v.sequence(pair[1], g.at(1))] as [number, number];
  });
  return pairs.sort((a, b) => a[0] - b[0]);
}

/** A numeric summary's ties and tail sketches, consistent with its bin counts. */
function validateTiesAndTails(o: Record<string, unknown>, f: v.Fields, binCount: number, counts: number[]) {
  const last = binCount - 1;
  const countOf = (i: number) => counts[i] ?? 0;
  const ties = o.ties === undefined ? [] : indexedCounts(o.ties, f.at('ties'), last, i => (i < 0 || i >= last ? `must be an edge's bin (0 to ${last - 1})` : null));
  ties.forEach(([bin, c], k) => {
    if (c > countOf(bin)) f.at('ties').at(k).at(1).fail(`must not exceed bin ${bin}'s count (${countOf(bin)})`);
  });
  const tied = (bin: number) => ties.find(([i]) => i === bin)?.[1] ?? 0;
  const tail = (name: 'lowTail' | 'highTail', bin: number) => {
    if (o[name] === undefined) return [];
    const logBin = (i: number) => (Math.abs(i) > 100_000 ? 'must be a log bin within ±100000' : null);
    const pairs = indexedCounts(o[name], f.at(name), 20_000, logBin);
    const total = pairs.reduce((s, [, c]) => s + c, 0);
    const expected = countOf(bin) - tied(bin);
    if (total !== expected) f.at(name).fail(`must hold every untied value of bin ${bin}: ${expected}, not ${total}`);
    return pairs;
  };
  const lowTail = tail('lowTail', 0);
  const highTail = tail('highTail', last);
  return {
    ...(ties.length ? { ties } : {}),
    ...(lowTail.length ? { lowTail } : {}),
    ...(highTail.length ? { highTail } : {}),
  };
}

/**
 * Per-bucket summaries of freshly committed events, for all traffic and each declared segment.
 * Hot path of ingestion: groups are found through per-version and per-bucket maps (no string key
 * per event), and a numeric value's bin is located once for all the groups it goes into.
 */
export function summarizePredictions(
  rows: PredictionRow[],
  layouts: Map<string, VersionLayout>,
  segmentDimensions: Map<string, string[]>,
): SummaryDelta[] {
  type Group = {
    base: Omit<SummaryDelta, 'summary' | 'feature'>;
    events: EventCounts;
    score?: LogSummary;
    latency?: LogSummary;
    /** In the order of LLM_SUMMARIES. */
    llm?: Array<LogSummary | undefined>;
    features: Array<NumericTally | CategoricalSummary>;
  };
  type Bucket = { all: Group; byValue: Array<Map<string, Group>> };
  type Version = {
    modelRef: string;
    version: string;
    layoutVersion: string | null;
    names: string[];
    layouts: Array<NumericLayout | null>;
    dimensions: string[];
    buckets: Map<number, Bucket>;
  };
  const groups: Group[] = [];
  const versions = new Map<string, Version>();
  const newGroup = (owner: Version, segment: string, bucketStart: number): Group => {
    const g: Group = {
      base: { modelRef: owner.modelRef, version: owner.version, segment, bucketStart, layoutVersion: owner.layoutVersion },
      events: { kind: 'events', n: 0, errors: 0 },
      features: owner.layouts.map(layout => (layout ? emptyTally() : emptyCategorical())),
    };
    groups.push(g);
    return g;
  };
  let current: Version | undefined;
  const into: Group[] = [];
  for (const row of rows) {
    if (!current || current.modelRef !== row.modelRef || current.version !== row.version) {
      const key = `${row.modelRef}@${row.version}`;
      current = versions.get(key);
      if (!current) {
        const layout = layouts.get(key)!;
        current = {
          modelRef: row.modelRef,
          version: row.version,
          layoutVersion: layout.layoutVersion,
          names: [...layout.features.keys()],
          layouts: [...layout.features.values()].map(spec => (spec.kind === 'numeric' ? spec.layout : null)),
          dimensions: segmentDimensions.get(row.modelRef) ?? [],
          buckets: new Map(),
        };
        versions.set(key, current);
      }
    }
    const ver = current;
    const bucketStart = bucketOf(row.occurredAt);
    let bucket = ver.buckets.get(bucketStart);
    if (!bucket) {
      bucket = { all: newGroup(ver, ALL_TRAFFIC, bucketStart), byValue: ver.dimensions.map(() => new Map()) };
      ver.buckets.set(bucketStart, bucket);
    }
    into.length = 0;
    into.push(bucket.all);
    for (let d = 0; d < ver.dimensions.length; d++) {
      const value = row.segment[ver.dimensions[d]];
      if (value === undefined) continue;
      let g = bucket.byValue[d].get(value);
      if (!g) bucket.byValue[d].set(value, (g = newGroup(ver, `${ver.dimensions[d]}=${value}`, bucketStart)));
      into.push(g);
    }
    // Log bins located once per event too.
    const scoreBin = row.score !== null && row.score > LOG_MIN_VALUE ? logBinIndex(row.score) : undefined;
    const latencyBin = row.latencyMs !== null && row.latencyMs > LOG_MIN_VALUE ? logBinIndex(row.latencyMs) : undefined;
    for (const g of into) {
      g.events.n++;
      if (row.error) g.events.errors++;
      if (row.score !== null) addLog((g.score ??= emptyLog()), row.score, scoreBin);
      if (row.latencyMs !== null) addLog((g.latency ??= emptyLog()), row.latencyMs, latencyBin);
    }
    if (row.llm) {
      const values = [row.llm.inputTokens, row.llm.outputTokens, row.llm.timeToFirstTokenMs, decodeRate(row.llm, row.latencyMs)];
      for (let k = 0; k < values.length; k++) {
        const value = values[k];
        if (value === null) continue;
        for (const g of into) addLog(((g.llm ??= [undefined, undefined, undefined, undefined])[k] ??= emptyLog()), value);
      }
    }
    const features = row.features;
    for (let f = 0; f < ver.names.length; f++) {
      // Own properties only: a feature named `constructor` that the event leaves out is missing.
      const value = features && Object.hasOwn(features, ver.names[f]) ? features[ver.names[f]] : undefined;
      const layout = ver.layouts[f];
      if (!layout) {
        for (const g of into) addFeatureValue(g.features[f] as CategoricalSummary, undefined, value);
      } else if (typeof value === 'number' && Number.isFinite(value)) {
        const bin = locatorOf(layout).locate(value);
        for (const g of into) addToTally(g.features[f] as NumericTally, layout, value, bin);
      } else {
        for (const g of into) countUnbinnable(g.features[f], value);
      }
    }
  }
  const deltas: SummaryDelta[] = [];
  for (const g of groups) {
    const { names, layouts: featureLayouts } = versions.get(`${g.base.modelRef}@${g.base.version}`)!;
    deltas.push({ ...g.base, feature: EVENTS, summary: g.events });
    if (g.score) deltas.push({ ...g.base, feature: SCORE, summary: encodeSummary(g.score) });
    if (g.latency) deltas.push({ ...g.base, feature: LATENCY, summary: encodeSummary(g.latency) });
    g.llm?.forEach((summary, k) => summary && deltas.push({ ...g.base, feature: LLM_SUMMARIES[k], summary: encodeSummary(summary) }));
    g.features.forEach((summary, f) =>
      deltas.push({ ...g.base, feature: names[f], summary: summary.kind === 'numeric' ? encodeTally(summary, featureLayouts[f]!) : encodeSummary(summary) }),
    );
  }
  return deltas;
}
