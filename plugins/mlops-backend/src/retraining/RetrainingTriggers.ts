import { LoggerService } from '@backstage/backend-plugin-api';
import { ModelPolicy, parseDuration, RetrainTriggerView } from '@modelrails/plugin-mlops-common';
import { CronTime } from 'cron';
import { randomUUID } from 'node:crypto';
import { DriftReport } from '../drift/DriftService';
import { DailyEvaluation, EvaluationService } from '../evaluation/EvaluationService';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { RetrainTrigger, TelemetryStore } from '../telemetry/TelemetryStore';
import { RetrainActions } from './RetrainActions';

/*
 * When a model should be retrained (PRODUCT.md C8):
 *   schedule     the policy's cron came due since the last scheduled trigger
 *   drift        a feature is flagged with PSI above the warning threshold (critical above critical)
 *   performance  the last matured day is under the policy's floor, or more than
 *                maxDeclineVsBaseline below the mean of the days before it in baselineWindow
 * At most one retrain per model per minInterval unless the trigger is critical; those held back are
 * recorded as "suppressed" (once per reason and hour). One drift incident fires once: the same
 * features drifting no worse fire again only after minInterval, or after the incident closed and
 * reopened. Contract violations never retrain: a broken pipeline is fixed, not learned.
 */

const SUPPRESSED_RECORD_INTERVAL = 3600_000;

function metricOf(day: DailyEvaluation, metric: string): number | null {
  if (metric === 'auc') return day.auc;
  if (metric === 'precision') return day.precision;
  if (metric === 'recall') return day.recall;
  if (metric.startsWith('ndcg')) return day.ndcg;
  return null;
}

/** Retraining triggers: fired on a schedule, on drift and on matured-label performance, and listed. */
export interface RetrainingTriggers {
  list(modelRef: string, limit: number): Promise<RetrainTriggerView[]>;
  onDriftReport(report: DriftReport, policy: ModelPolicy): Promise<RetrainTrigger | undefined>;
  checkSchedule(modelRef: string, policy: ModelPolicy): Promise<RetrainTrigger | undefined>;
  checkPerformance(modelRef: string, policy: ModelPolicy): Promise<RetrainTrigger | undefined>;
  /** Reads where each submitted, unfinished run stands (an Argo Workflow's phase) and records it. */
  followRuns(policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>): Promise<number>;
}

/** Runs are followed for this long after they were submitted; a training run taking longer is left as last seen. */
const FOLLOW_FOR_MS = 7 * 86_400_000;

export class DefaultRetrainingTriggers implements RetrainingTriggers {
  constructor(
    private readonly options: {
      store: TelemetryStore;
      evaluation: EvaluationService;
      /** Carries a trigger out on the policy's target, and follows the run it started (RetrainActions). */
      actions: Pick<RetrainActions, 'submit' | 'follow'>;
      metrics?: TelemetryMetrics;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  async followRuns(policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>) {
    const { store, actions, logger } = this.options;
    let followed = 0;
    for (const trigger of await store.unfinishedRuns(this.now() - FOLLOW_FOR_MS, 200)) {
      let policy: ModelPolicy | undefined;
      try {
        policy = await policyOf(trigger.modelRef);
      } catch {
        continue; // the catalog cannot answer now: asked again at the next tick
      }
      const target = policy?.retraining.target;
      try {
        const run = target && trigger.action ? await actions.follow(trigger.action, target) : undefined;
        if (!run) {
          // Nothing can tell where this run stands (a webhook, a target since removed): not asked again,
          // so the runs that can be followed are never starved.
          await store.stopFollowing(trigger.id, this.now());
          continue;
        }
        await store.setTriggerRun(trigger.id, { ...run, checkedAt: this.now() });
        if (run.phase !== trigger.run?.phase) logger.info(`Retraining run of ${trigger.modelRef} (trigger ${trigger.id}): ${run.phase}${run.message ? ` — ${run.message}` : ''}`);
        followed++;
      } catch (error) {
        // The cluster is unreachable now: the run is asked about again at the next tick.
        logger.warn(`Could not read the retraining run of trigger ${trigger.id}: ${(error as Error).message}`);
      }
    }
    return followed;
  }

  /** A model's triggers, newest first, as the API shows them. */
  async list(modelRef: string, limit: number) {
    const items = await this.options.store.listTriggers(modelRef, limit);
    return items.map(({ run, ...t }) => ({
      ...t,
      createdAt: new Date(t.createdAt).toISOString(),
      ...(run ? { run: { ...run, checkedAt: new Date(run.checkedAt).toISOString() } } : {}),
    }));
  }

  /**
   * Drift reports come from the drift monitor, about once a minute. One drift incident fires one
   * retrain: while the same features drift no worse, nothing more is recorded inside the policy's
   * minimum interval, critical or not. A new drifting feature or one turned critical is a worse
   * incident (critical goes through the interval); a report without drift closes the incident.
   */
  async onDriftReport(report: DriftReport, policy: ModelPolicy): Promise<RetrainTrigger | undefined> {
    const { store } = this.options;
    const now = this.now();
    const drifting = report.features.filter(f => f.flagged && f.kind !== 'prediction' && f.psi !== null && f.psi > f.thresholds.warning);
    const open = await store.driftIncident(report.modelRef);
    if (!drifting.length) {
      if (open) await store.setDriftIncident(report.modelRef, null);
      return undefined;
    }
    const current = Object.fromEntries(drifting.map(f => [`${f.feature}\u0000${f.segment}`, f.psi! > f.thresholds.critical ? ('critical' as const) : ('warning' as const)]));
    const worse = !open || Object.entries(current).some(([key, severity]) => !open.features[key] || (severity === 'critical' && open.features[key] !== 'critical'));
    const firedRecently = open?.triggeredAt !== null && open?.triggeredAt !== undefined && now - open.triggeredAt < parseDuration(policy.retraining.minInterval);
    if (!worse && firedRecently) return undefined;
    const critical = Object.values(current).includes('critical');
    const trigger = await this.fire(report.modelRef, policy, 'drift', critical ? 'critical' : 'normal', {
      version: report.version,
      window: report.window,
      features: drifting.map(f => ({ feature: f.feature, segment: f.segment, psi: f.psi, warning: f.thresholds.warning, critical: f.thresholds.critical })),
    }, { recordSuppressed: worse });
    const fired = trigger !== undefined && trigger.status !== 'suppressed';
    await store.setDriftIncident(report.modelRef, {
      features: { ...open?.features, ...current },
      openedAt: open?.openedAt ?? now,
      triggeredAt: fired ? now : open?.triggeredAt ?? null,
    });
    return trigger;
  }

  async checkSchedule(modelRef: string, policy: ModelPolicy): Promise<RetrainTrigger | undefined> {
    const schedule = policy.retraining.schedule;
    if (!schedule) return undefined;
    let cron: CronTime;
    try {
      cron = new CronTime(schedule, 'UTC');
    } catch (error) {
      this.options.logger.warn(`Retraining schedule of ${modelRef} is not a valid cron expression: ${(error as Error).message}`);
      return undefined;
    }
    const last = await this.options.store.lastTrigger(modelRef, ['submitted', 'recorded', 'failed'], 'schedule');
    // First run: the schedule counts from an hour ago, so a fresh start does not fire for the past.
    const since = last?.createdAt ?? this.now() - 3600_000;
    const due = cron.getNextDateFrom(new Date(since), 'UTC').toMillis();
    if (due > this.now()) return undefined;
    return this.fire(modelRef, policy, 'schedule', 'normal', { schedule, due: new Date(due).toISOString() }, { bypassRateLimit: true });
  }

  async checkPerformance(modelRef: string, policy: ModelPolicy): Promise<RetrainTrigger | undefined> {
    const floor = policy.retraining.performanceFloor;
    const metric = floor?.metric ?? 'auc';
    const baselineDays = Math.max(1, Math.round(parseDuration(policy.retraining.baselineWindow) / 86_400_000));
    const k = metric.startsWith('ndcg@') ? Number(metric.slice(5)) : 10;
    const report = await this.options.evaluation.daily(modelRef, policy, { days: baselineDays + 1, k });
    const days = report.days.filter(d => metricOf(d, metric) !== null);
    if (!days.length) return undefined;
    const latest = days[days.length - 1];
    const value = metricOf(latest, metric)!;
    if (floor && value < floor.min) {
      return this.fire(modelRef, policy, 'performance', 'normal', { metric, day: latest.day, value, floor: floor.min });
    }
    const baseline = days.slice(0, -1).map(d => metricOf(d, metric)!);
    if (!baseline.length) return undefined;
    const mean = baseline.reduce((s, x) => s + x, 0) / baseline.length;
    const decline = mean > 0 ? (mean - value) / mean : 0;
    if (decline > policy.retraining.maxDeclineVsBaseline) {
      return this.fire(modelRef, policy, 'performance', 'normal', {
        metric,
        day: latest.day,
        value,
        baseline: mean,
        baselineDays: baseline.length,
        decline,
        maxDecline: policy.retraining.maxDeclineVsBaseline,
      });
    }
    return undefined;
  }

  private async fire(
    modelRef: string,
    policy: ModelPolicy,
    reason: RetrainTrigger['reason'],
    severity: RetrainTrigger['severity'],
    details: Record<string, unknown>,
    /** `recordSuppressed: false`: an incident already recorded as held back is not recorded again. */
    options: { bypassRateLimit?: boolean; recordSuppressed?: boolean } = {},
  ): Promise<RetrainTrigger | undefined> {
    const { store, metrics, logger, actions } = this.options;
    const now = this.now();
    const trigger: RetrainTrigger = {
      id: randomUUID(),
      modelRef,
      reason,
      severity,
      status: 'recorded',
      approvalBeforeCanary: reason === 'drift' && policy.retraining.requireApprovalOnDrift,
      details,
      action: null,
      createdAt: now,
    };
    const lastRetrain = await store.lastTrigger(modelRef, ['submitted', 'recorded']);
    const withinInterval = lastRetrain && now - lastRetrain.createdAt < parseDuration(policy.retraining.minInterval);
    if (withinInterval && severity !== 'critical' && !options.bypassRateLimit) {
      metrics?.triggers.inc({ model: modelRef, reason, status: 'suppressed' });
      if (options.recordSuppressed === false) return undefined;
      const lastSuppressed = await store.lastTrigger(modelRef, ['suppressed'], reason);
      if (lastSuppressed && now - lastSuppressed.createdAt < SUPPRESSED_RECORD_INTERVAL) return undefined;
      const suppressed = { ...trigger, status: 'suppressed' as const, details: { ...details, lastRetrain: new Date(lastRetrain.createdAt).toISOString(), minInterval: policy.retraining.minInterval } };
      await store.addTrigger(suppressed);
      return suppressed;
    }
    const target = policy.retraining.target;
    if (target) {
      try {
        trigger.action = await actions.submit(trigger, target);
        trigger.status = 'submitted';
      } catch (error) {
        trigger.status = 'failed';
        trigger.action = { error: (error as Error).message };
        logger.warn(`Retraining trigger for ${modelRef} failed: ${(error as Error).message}`);
      }
    }
    await store.addTrigger(trigger);
    metrics?.triggers.inc({ model: modelRef, reason, status: trigger.status });
    logger.info(`Retraining trigger for ${modelRef}: ${reason} (${severity}), ${trigger.status}`);
    return trigger;
  }
}
