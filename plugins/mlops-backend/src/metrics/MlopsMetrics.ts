import { Counter, Gauge, Registry } from 'prom-client';
import { LogSummary } from '../stats/summaries';
import { PredictionLatencyHistogram } from './predictionLatency';

/** What one committed telemetry batch counted (the telemetry store's batch outcome). */
export type CountedBatch = { accepted: number; duplicates: number; redelivered: boolean };

/**
 * The plugin's Prometheus metrics (PRODUCT.md C12), in a registry of its own so nothing else in
 * the process leaks into `/api/mlops/metrics`.
 */
export class TelemetryMetrics {
  readonly registry = new Registry();

  private readonly events = new Counter({
    name: 'mlops_ingest_records_total',
    help: 'Telemetry records received, by kind and result (accepted, duplicate, rejected, dropped)',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });

  private readonly batches = new Counter({
    name: 'mlops_ingest_batches_total',
    help: 'Telemetry batches received, by kind and result (committed, redelivered, rejected, failed)',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });

  readonly driftScore = new Gauge({
    name: 'mlops_drift_score',
    help: 'Latest drift statistic per model, feature and segment (PSI unless the statistic label says otherwise)',
    labelNames: ['model', 'feature', 'segment', 'statistic'],
    registers: [this.registry],
  });

  readonly driftStatus = new Gauge({
    name: 'mlops_drift_flagged',
    help: '1 when a feature is flagged for statistical drift (severity label), else 0',
    labelNames: ['model', 'feature', 'segment', 'severity'],
    registers: [this.registry],
  });

  readonly contractViolations = new Gauge({
    name: 'mlops_contract_violations',
    help: 'Open contract violations per model, feature, segment and check',
    labelNames: ['model', 'feature', 'segment', 'check'],
    registers: [this.registry],
  });

  readonly triggers = new Counter({
    name: 'mlops_retrain_triggers_total',
    help: 'Retraining triggers by model, reason and status (submitted, recorded, suppressed, failed)',
    labelNames: ['model', 'reason', 'status'],
    registers: [this.registry],
  });

  private readonly predictions = new Counter({
    name: 'mlops_predictions_total',
    help: 'Committed predictions per model and version (each replica counts what it ingested; sum across replicas)',
    labelNames: ['model', 'version'],
    registers: [this.registry],
  });

  private readonly predictionErrors = new Counter({
    name: 'mlops_prediction_errors_total',
    help: 'Committed predictions that failed (error: true), per model and version',
    labelNames: ['model', 'version'],
    registers: [this.registry],
  });

  private readonly tokens = new Counter({
    name: 'mlops_llm_tokens_total',
    help: "Tokens of committed LLM requests per model and version, by type (input, output: OpenTelemetry's gen_ai.token.type)",
    labelNames: ['model', 'version', 'type'],
    registers: [this.registry],
  });

  private readonly latency = new PredictionLatencyHistogram();

  readonly rolloutWeight = new Gauge({
    name: 'mlops_rollout_weight_ratio',
    help: "Challenger's share of traffic (0 to 1) in each rollout in progress, as last verified in the router",
    labelNames: ['model', 'version', 'champion', 'stage'],
    registers: [this.registry],
  });

  readonly rolloutRolledBack = new Gauge({
    name: 'mlops_rollout_rolled_back',
    help: '1 for a rollout rolled back within the last 24 hours (by the engine or a person)',
    labelNames: ['model', 'version'],
    registers: [this.registry],
  });

  private readonly taskRuns = new Counter({
    name: 'mlops_task_runs_total',
    help: 'Runs of each scheduled task on this replica, by scope (global: one replica per interval) and result',
    labelNames: ['task', 'scope', 'result'],
    registers: [this.registry],
  });

  /** `replica`: this process's name among the replicas (the rollout leases and decisions use it too). */
  constructor(replica?: string) {
    this.registry.registerMetric(this.latency as any);
    if (replica) {
      new Gauge({ name: 'mlops_replica_info', help: "This replica's name (1 while it runs)", labelNames: ['replica'], registers: [this.registry] }).set({ replica }, 1);
    }
  }

  countTaskRun(task: string, scope: string, result: 'ok' | 'failed') {
    this.taskRuns.inc({ task, scope, result });
  }

  /** Committed predictions of a model version (from their summaries: one call per bucket). */
  countPredictions(labels: { model: string; version: string }, n: number, errors: number) {
    this.predictions.inc(labels, n);
    // Also at 0: rate() ignores a series' first sample, so a first batch of failures would not burn.
    this.predictionErrors.inc(labels, errors);
  }

  /** Tokens of committed LLM requests (from their summaries' sums). */
  countTokens(labels: { model: string; version: string }, type: 'input' | 'output', tokens: number) {
    this.tokens.inc({ ...labels, type }, tokens);
  }

  /** Their latency summary (milliseconds); the model's budget gets a bucket of its own. */
  observeLatency(labels: { model: string; version: string }, summary: LogSummary, budgetMs: number | undefined) {
    this.latency.add(labels, summary, budgetMs);
  }

  countBatch(kind: string, outcome: CountedBatch, dropped: number) {
    this.batches.inc({ kind, result: outcome.redelivered ? 'redelivered' : 'committed' });
    if (outcome.redelivered) return;
    this.events.inc({ kind, result: 'accepted' }, outcome.accepted);
    this.events.inc({ kind, result: 'duplicate' }, outcome.duplicates);
    if (dropped) this.events.inc({ kind, result: 'dropped' }, dropped);
  }

  countRejected(kind: string, records: number, failed: boolean) {
    this.batches.inc({ kind, result: failed ? 'failed' : 'rejected' });
    if (records) this.events.inc({ kind, result: 'rejected' }, records);
  }
}
