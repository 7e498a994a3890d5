import { RetrainTriggerView } from '@modelrails/plugin-mlops-common';
import { ScoreCalibration } from '../stats/cbpe';
import { EncodedSummary, NumericLayout } from '../stats/summaries';

/** One prediction event as stored. Times are epoch milliseconds. */
export type PredictionRow = {
  source: string;
  sequence: number;
  modelRef: string;
  version: string;
  requestId: string;
  queryId: string | null;
  occurredAt: number;
  segment: Record<string, string>;
  score: number | null;
  latencyMs: number | null;
  /** LLM serving (summarised only, not stored raw): tokens in and out, and time to first token. */
  llm?: { inputTokens: number | null; outputTokens: number | null; timeToFirstTokenMs: number | null } | null;
  error: boolean;
  features: Record<string, unknown> | null;
  /** Whether the raw features are stored (the sampled share); every event's go into summaries. */
  keepFeatures: boolean;
};

export type OutcomeRow = {
  source: string;
  sequence: number;
  requestId: string;
  outcome: string;
  value: number;
  occurredAt: number;
};

/** A summary to add into the stored one with the same key. */
export type SummaryDelta = {
  modelRef: string;
  version: string;
  segment: string;
  feature: string;
  bucketStart: number;
  layoutVersion: string | null;
  summary: EncodedSummary;
};

/** A stored summary covers `bucketMs` from `bucketStart`: 5 minutes, an hour or a day. */
export type StoredSummary = SummaryDelta & { bucketMs: number };

export type BatchOutcome = {
  batchId: string;
  /** Records committed by this delivery. */
  accepted: number;
  /** Records already committed by an earlier delivery (same source and sequence). */
  duplicates: number;
  /** True when the whole batch id had been committed before; nothing was written. */
  redelivered: boolean;
};

export type ReferenceFeature = {
  feature: string;
  kind: 'numeric' | 'categorical' | 'log';
  layout: NumericLayout | null;
  summary: EncodedSummary;
};

export type ReferenceProfile = {
  modelRef: string;
  version: string;
  createdAt: number;
  features: ReferenceFeature[];
  /** Isotonic calibration of the training scores against an outcome's labels, when the profile had labels. */
  calibration?: ScoreCalibration;
};

export type SummaryQuery = {
  modelRef: string;
  version?: string;
  segments?: string[];
  features?: string[];
  from: number;
  to: number;
  /**
   * `buckets` (default): the 5-minute rows starting in [from, to). `coarsest`: the fewest rows
   * covering the same time (whole days and hours where they fit), for totals over long windows.
   */
  resolution?: 'buckets' | 'coarsest';
  /** With `coarsest`: no row longer than this (so rows fall inside the caller's time steps). */
  maxBucketMs?: number;
};

/** A prediction with its outcome value (0 when no outcome of that name arrived). */
export type LabelledPrediction = {
  version: string;
  occurredAt: number;
  score: number;
  queryId: string | null;
  segment: Record<string, string>;
  label: number;
};

/** A retraining trigger as stored: the API's shape with the time in epoch milliseconds. */
export type RetrainTrigger = Omit<RetrainTriggerView, 'createdAt' | 'run'> & {
  createdAt: number;
  run?: { phase: string; message?: string; finished: boolean; checkedAt: number };
};

/** A model's open drift incident: the drifting features (`<feature>\u0000<segment>`) and their severity. */
export type DriftIncident = {
  features: Record<string, 'warning' | 'critical'>;
  openedAt: number;
  /** When the incident last fired a retrain; null while every attempt was held back. */
  triggeredAt: number | null;
};

/**
 * What a model's latest drift report says in its alert gauges: the PSI and verdict per feature and
 * segment, and the open contract violations. The drift monitor (one replica per minute) stores it;
 * every replica exports it, so all agree whichever one Prometheus scrapes.
 */
export type DriftSignals = {
  features: Array<{ feature: string; segment: string; psi: number | null; severity: string; flagged: boolean }>;
  violations: Array<{ feature: string; segment: string; check: string }>;
};

export interface TelemetryStore {
  /**
   * Commits a batch in one transaction: the batch id, the records not seen before (by source and
   * sequence), and the summaries of exactly those records (`summarize` receives them). Nothing is
   * written when the batch id was committed before.
   */
  commitPredictions(
    batchId: string,
    rows: PredictionRow[],
    summarize: (fresh: PredictionRow[]) => SummaryDelta[],
  ): Promise<BatchOutcome>;
  commitOutcomes(batchId: string, rows: OutcomeRow[]): Promise<BatchOutcome>;
  commitProfiles(
    batchId: string,
    receipts: Array<{ source: string; sequence: number; bucketStart: number; deltas: SummaryDelta[] }>,
  ): Promise<BatchOutcome>;

  /** Stores a version's training profile; ConflictError when it has one or already has telemetry. */
  putReferenceProfile(profile: ReferenceProfile): Promise<void>;
  getReferenceProfile(modelRef: string, version: string): Promise<ReferenceProfile | undefined>;
  /** The newest profile of a model (for versions that have none of their own). */
  latestReferenceProfile(modelRef: string): Promise<ReferenceProfile | undefined>;
  /** A version's score calibration (written with its reference profile). */
  scoreCalibration(modelRef: string, version: string): Promise<ScoreCalibration | undefined>;

  /** One summary per key (version, layout, segment, feature, bucket), appended rows merged in. */
  readSummaries(query: SummaryQuery): Promise<StoredSummary[]>;
  /** Folds the summaries ingestion appended into the stored rows; returns how many were folded. */
  compactSummaries(): Promise<number>;
  /** The finest resolution whose rows are kept at time `at` (older ones are downsampled). */
  finestBucketMs(at: number): number;
  /** Versions and segments with telemetry in a window. */
  telemetryKeys(modelRef: string, from: number, to: number): Promise<Array<{ version: string; segment: string }>>;
  /** Models with telemetry since `since`. */
  activeModels(since: number): Promise<string[]>;

  /** Predictions made in [from, to) joined with their `outcome` labels. */
  labelledPredictions(modelRef: string, outcome: string, from: number, to: number, limit: number): Promise<LabelledPrediction[]>;

  /**
   * Predictions stored raw from `from` to the end of the 5-minute bucket `to` falls in (to `to`
   * when that is within `from`'s bucket), and how many have a positive `outcome` label: whole
   * buckets from counts kept as telemetry arrives, the part of `from`'s bucket from raw rows.
   */
  labelCounts(modelRef: string, version: string | undefined, outcome: string, from: number, to: number): Promise<{ n: number; positives: number }>;

  /**
   * Scores two versions gave to the same requests made in [from, to) (shadow traffic), at most
   * `limit` pairs, in request order of the second version.
   */
  pairedScores(modelRef: string, first: string, second: string, from: number, to: number, limit: number): Promise<{ first: number[]; second: number[] }>;

  addTrigger(trigger: RetrainTrigger): Promise<void>;
  listTriggers(modelRef: string, limit: number): Promise<RetrainTrigger[]>;
  lastTrigger(modelRef: string, statuses: RetrainTrigger['status'][], reason?: RetrainTrigger['reason']): Promise<RetrainTrigger | undefined>;
  /** Submitted triggers whose run has not finished, created since `since`, oldest check first. */
  unfinishedRuns(since: number, limit: number): Promise<RetrainTrigger[]>;
  /** Records where a submitted trigger's run stands. */
  setTriggerRun(id: string, run: NonNullable<RetrainTrigger['run']>): Promise<void>;
  /** Stops following a trigger whose action cannot tell where its run stands (a webhook). */
  stopFollowing(id: string, at: number): Promise<void>;
  /** The model's open drift incident, if any. */
  driftIncident(modelRef: string): Promise<DriftIncident | undefined>;
  /** Opens or updates the model's drift incident; `null` closes it. */
  setDriftIncident(modelRef: string, incident: DriftIncident | null): Promise<void>;

  /** Announces commits to other replicas (the change feed). */
  recordSummaryChanges(changes: Array<{ modelRef: string; oldestBucket: number }>, replica: string, at: number): Promise<void>;
  /** Announced commits at or after `since`. */
  summaryChanges(since: number): Promise<Array<{ id: number; modelRef: string; oldestBucket: number; replica: string; at: number }>>;
  pruneSummaryChanges(before: number): Promise<void>;

  /**
   * Drift series' verdicts of closed steps (drift/StepVerdicts), as text: those of `series` whose
   * step begins in [from, to), with when they were computed.
   */
  stepVerdicts(modelRef: string, series: string, from: number, to: number): Promise<Array<{ start: number; verdict: string; computedAt: number }>>;
  putStepVerdicts(modelRef: string, series: string, steps: Array<{ start: number; end: number; verdict: string }>, computedAt: number): Promise<void>;
  /** Forgets the model's verdicts of steps ending after `after` (a commit reached into them). */
  dropStepVerdicts(modelRef: string, after: number): Promise<void>;

  /** Stores a model's latest drift signals (replacing the previous ones). */
  putDriftSignals(modelRef: string, signals: DriftSignals, computedAt: number): Promise<void>;
  /** Every model's latest drift signals computed at or after `since`. */
  driftSignals(since: number): Promise<Array<{ modelRef: string; computedAt: number; signals: DriftSignals }>>;

  /** Deletes raw events, and summaries of each resolution (bucket length → time), older than the given times; returns rows removed. */
  purge(before: { rawEvents: number; summaries: Record<number, number> }): Promise<number>;
  /**
   * Deflates hourly and daily rows that end before `before` (once the 5-minute rows of their time
   * are gone, only queries over old ranges read them); looks at most `limit` rows a call. Returns
   * how many rows it deflated.
   */
  compressSummaries(before: number, limit?: number): Promise<number>;
}
