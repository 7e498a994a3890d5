import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { actorText, ModelPolicy, parseDuration, ROLLOUT_ENGINE_ACTOR, RolloutCheck } from '@modelrails/plugin-mlops-common';
import { canaryChecks, headlineOf, shadowChecks, verdictOf } from './analysis';
import { CanaryMetricsSource } from './CanaryMetrics';
import { ENDED_STATUSES, NewDecision, PendingMove, RolloutChanges, RolloutRecord, RolloutStore, Transition } from './RolloutStore';
import { TrafficRouter, TrafficRouterError, TrafficSplit } from './TrafficRouter';

export type ManualAction = 'pause' | 'resume' | 'promote' | 'abort' | 'rollback';

export const ENGINE_ACTOR = ROLLOUT_ENGINE_ACTOR;

export interface RolloutEngine {
  /** Starts a rollout of `version` against the model's champion; ConflictError when one is in progress. */
  start(input: { modelRef: string; version: string; champion: string | null; promotionId: string | null; policy: ModelPolicy; actor: string }, now?: number): Promise<RolloutRecord>;
  /** One pass over every rollout with work left: retries, analyses, scale-downs. */
  driveAll(now?: number): Promise<void>;
  /** Drives one rollout now, if no other replica holds it. */
  drive(id: string, now?: number): Promise<RolloutRecord | undefined>;
  /** A person's action, recorded and then carried out as far as the router allows now. */
  act(id: string, action: ManualAction, actor: string, reason: string, now?: number): Promise<RolloutRecord>;
}

export type EngineOptions = {
  store: RolloutStore;
  routerFor(record: Pick<RolloutRecord, 'modelRef' | 'traffic'>): TrafficRouter;
  metrics: CanaryMetricsSource;
  /** Hands the champion alias to the challenger (success) or back to the standby (rollback of a finished rollout). */
  onChampionChange?(record: RolloutRecord, champion: string, standby: string | null, actor: string): Promise<void>;
  /** Told when a rollout reaches an ended status (succeeded, rolled back, aborted), by the replica that moved it there. */
  onEnded?(record: RolloutRecord): Promise<void>;
  /** This replica's name for leases. */
  owner: string;
  leaseMs?: number;
  /** First retry delay of a pending move; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  clock?: () => number;
};

const same = (a: TrafficSplit, b: TrafficSplit) => Math.abs(a.weight - b.weight) < 1e-9 && a.mirrored === b.mirrored;

/**
 * The rollout state machine. Every traffic move is written to the database first (`pending`),
 * then asked of the router, and the rollout's weight, stage and step change only once the
 * router's answer shows the move: a crash, a 5xx or an outage leaves the move pending, retried
 * with backoff, and the rollout never reports a split the router does not hold. A lease per
 * rollout keeps two replicas from driving the same one.
 */
export class DefaultRolloutEngine implements RolloutEngine {
  private readonly leaseMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: EngineOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  private get store() {
    return this.options.store;
  }

  private versions(r: RolloutRecord) {
    return { champion: r.champion, challenger: r.version };
  }

  async start(
    input: { modelRef: string; version: string; champion: string | null; promotionId: string | null; policy: ModelPolicy; actor: string },
    now = this.clock(),
  ): Promise<RolloutRecord> {
    const { policy } = input;
    const traffic = policy.rollout.traffic;
    if (!traffic) throw new InputError(`${input.modelRef} has no spec.policy.rollout.traffic: nothing to move traffic with`);
    const kpiDefinition = policy.kpis.find(k => k.name === policy.rollout.analysis.kpi)!;
    const canShadow = policy.rollout.shadow.enabled && traffic.kind !== 'kserve' && input.champion !== null;
    const first = policy.rollout.steps[0];
    let pending: PendingMove;
    let reason: string;
    if (input.champion === null) {
      pending = this.move('set-weight', { weight: 100, mirrored: false }, { stage: 'full', step: null, status: 'succeeded', ended: true, headline: 'first version of the model: no champion to compare with' }, now);
      reason = 'no champion: all traffic to the first version';
    } else if (canShadow) {
      pending = this.move('enter-shadow', { weight: 0, mirrored: true }, { stage: 'shadow', step: null, status: 'running' }, now);
      reason = `shadow: v${input.version} receives a mirror of v${input.champion}'s traffic`;
    } else {
      pending = this.move('set-weight', { weight: first.weight, mirrored: false }, { stage: 'canary', step: 0, status: 'running' }, now);
      reason = `canary at ${first.weight} %${policy.rollout.shadow.enabled && traffic.kind === 'kserve' ? ' (KServe cannot mirror traffic: no shadow)' : ''}`;
    }
    const record = await this.store.create(
      {
        modelRef: input.modelRef,
        version: input.version,
        champion: input.champion,
        promotionId: input.promotionId,
        traffic,
        policy: { ...policy.rollout, kpiDefinition },
        stage: canShadow ? 'shadow' : 'canary',
        status: 'pending',
        step: null,
        weight: 0,
        mirrored: false,
        pending,
        stageStartedAt: now,
        createdAt: now,
      },
      { at: now, action: 'start', actor: input.actor, reason },
      { actorRef: input.actor, action: 'rollout.start', entityRef: input.modelRef, details: { version: input.version, champion: input.champion } },
    );
    return (await this.drive(record.id, now)) ?? record;
  }

  private move(kind: PendingMove['kind'], split: TrafficSplit, then: Transition, now: number): PendingMove {
    return { kind, weight: split.weight, mirrored: split.mirrored, since: now, attempts: 0, nextAttemptAt: now, then };
  }

  async driveAll(now = this.clock()) {
    for (const r of await this.store.list({ unfinished: true, limit: 1000 })) {
      try {
        await this.drive(r.id, now);
      } catch {
        // One rollout's failure (a database hiccup) must not stop the others; the next pass retries.
      }
    }
  }

  async drive(id: string, now = this.clock()): Promise<RolloutRecord | undefined> {
    if (!(await this.store.acquireLease(id, this.options.owner, now, this.leaseMs))) return undefined;
    try {
      let r = await this.store.get(id);
      // A verified move may lead to the next (a rollback to its scale-down): follow while progress is made.
      for (let guard = 0; r && guard < 8; guard++) {
        const before = r.revision;
        if (r.pending) r = await this.attemptPending(r, now);
        else if (ENDED_STATUSES.includes(r.status)) r = await this.scaleDownIfNeeded(r, now);
        else if (r.status === 'running' && this.analysisDue(r, now)) r = await this.analyse(r, now);
        if (!r || r.revision === before || (r.pending && r.pending.nextAttemptAt > now)) break;
      }
      return r;
    } finally {
      await this.store.releaseLease(id, this.options.owner);
    }
  }

  private analysisDue(r: RolloutRecord, now: number) {
    return r.lastAnalysisAt === null || now - r.lastAnalysisAt >= parseDuration(r.policy.analysis.interval);
  }

  private async scaleDownIfNeeded(r: RolloutRecord, now: number) {
    if (r.scaledDown || (r.status !== 'rolled-back' && r.status !== 'aborted')) return r;
    const pending = this.move('scale-down', { weight: r.weight, mirrored: r.mirrored }, { stage: r.stage, step: r.step, status: r.status, ended: true }, now);
    return (await this.store.update(r.id, r.revision, { pending }, now)) ?? r;
  }

  /** Asks the router for the pending move; applies its transition only when the answer shows it. */
  private async attemptPending(r: RolloutRecord, now: number): Promise<RolloutRecord | undefined> {
    const pending = r.pending!;
    if (pending.nextAttemptAt > now) return r;
    const router = this.options.routerFor(r);
    try {
      if (pending.kind === 'scale-down') {
        const scaled = await router.scaleDown(this.versions(r));
        return await this.store.update(
          r.id,
          r.revision,
          { pending: null, scaledDown: true },
          now,
          {
            at: now,
            action: 'scale-down',
            actor: ENGINE_ACTOR,
            reason: scaled ? `v${r.version} scaled down` : `${router.describe()}: nothing to scale (the router retires the challenger itself)`,
          },
        );
      }
      const split = await router.apply(this.versions(r), { weight: pending.weight, mirrored: pending.mirrored });
      if (!same(split, pending)) {
        throw new TrafficRouterError(`${router.describe()} holds ${split.weight} %${split.mirrored ? ' + mirror' : ''} after asking for ${pending.weight} %${pending.mirrored ? ' + mirror' : ''}`);
      }
      const then = pending.then;
      if (then.ended && then.stage === 'full') {
        // Before the rollout ends: a crash here repeats an idempotent alias move, never skips it.
        await this.options.onChampionChange?.(r, r.version, r.champion, ENGINE_ACTOR);
      }
      const changes: RolloutChanges = {
        pending: null,
        weight: split.weight,
        mirrored: split.mirrored,
        stage: then.stage,
        step: then.step,
        status: then.status,
        ...(then.headline !== undefined ? { headline: then.headline } : {}),
        ...(then.ended ? { endedAt: now } : {}),
        ...(then.stage !== r.stage || then.step !== r.step ? { stageStartedAt: now, lastAnalysisAt: null } : {}),
      };
      const decision: NewDecision | undefined = pending.attempts
        ? { at: now, action: 'retry', actor: ENGINE_ACTOR, reason: `${router.describe()} verified at ${split.weight} % after ${pending.attempts + 1} attempts` }
        : undefined;
      const updated = await this.store.update(r.id, r.revision, changes, now, decision);
      // Outside the try's retry path: a failing listener must not make a verified move pending again.
      // A finished rollout can end again (rolled back from succeeded); its scale-down does not change the status.
      if (updated && then.ended && then.status !== r.status) void this.options.onEnded?.(updated).catch(() => undefined);
      return updated;
    } catch (error) {
      const attempts = pending.attempts + 1;
      const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempts - 1));
      const message = error instanceof TrafficRouterError ? error.message : `${router.describe()}: ${(error as Error).message}`;
      return await this.store.update(r.id, r.revision, { pending: { ...pending, attempts, nextAttemptAt: now + delay, lastError: message } }, now);
    }
  }

  private async analyse(r: RolloutRecord, now: number): Promise<RolloutRecord | undefined> {
    const router = this.options.routerFor(r);
    const current = { weight: r.weight, mirrored: r.mirrored };
    let held: TrafficSplit;
    try {
      held = await router.read(this.versions(r));
    } catch (error) {
      // Cannot verify where traffic is: hold the rollout pending, re-asserting what was verified.
      const pending = this.move('set-weight', current, { stage: r.stage, step: r.step, status: r.status }, now);
      return this.store.update(r.id, r.revision, { status: 'pending', pending: { ...pending, attempts: 1, nextAttemptAt: now + this.backoffMs, lastError: (error as Error).message } }, now);
    }
    if (!same(held, current)) {
      const pending = this.move('set-weight', current, { stage: r.stage, step: r.step, status: r.status }, now);
      return this.store.update(r.id, r.revision, { status: 'pending', pending }, now, {
        at: now,
        action: 'retry',
        actor: ENGINE_ACTOR,
        reason: `${router.describe()} held ${held.weight} %${held.mirrored ? ' + mirror' : ''}, not the verified ${current.weight} %${current.mirrored ? ' + mirror' : ''}: re-applying`,
      });
    }

    if (held.settling) {
      // The router holds the split but does not serve it yet: metrics now would judge the old split.
      const reason = `waiting for the split to be served: ${held.settling}`;
      // The step's clock starts when its split is served: its minimum duration and samples count from then.
      return this.store.update(r.id, r.revision, { stageStartedAt: now, lastAnalysisAt: now }, now, { at: now, action: 'hold', actor: ENGINE_ACTOR, reason });
    }

    const checks = await this.checks(r, now);
    const verdict = verdictOf(checks);
    const where = r.stage === 'shadow' ? 'shadow' : `${r.weight} %`;
    if (verdict === 'rollback') {
      const headline = headlineOf(checks, where)!;
      const pending = this.move('rollback', { weight: 0, mirrored: false }, { stage: 'rolled-back', step: null, status: 'rolled-back', ended: true, headline }, now);
      return this.store.update(r.id, r.revision, { status: 'pending', pending, lastAnalysisAt: now, headline }, now, { at: now, action: 'rollback', actor: ENGINE_ACTOR, reason: headline, checks }, {
        actorRef: ENGINE_ACTOR,
        action: 'rollout.rollback',
        entityRef: r.modelRef,
        details: { version: r.version, reason: headline },
      });
    }
    if (verdict === 'hold') {
      const waiting = checks.filter(c => c.verdict !== 'pass').map(c => c.check).join(', ');
      return this.store.update(r.id, r.revision, { lastAnalysisAt: now }, now, { at: now, action: 'hold', actor: ENGINE_ACTOR, reason: `waiting for ${waiting}`, checks });
    }
    const steps = r.policy.steps;
    const next = r.stage === 'shadow' ? 0 : r.step! + 1;
    const pending =
      next < steps.length
        ? this.move('set-weight', { weight: steps[next].weight, mirrored: false }, { stage: 'canary', step: next, status: 'running' }, now)
        : this.move('set-weight', { weight: 100, mirrored: false }, { stage: 'full', step: null, status: 'succeeded', ended: true, headline: `v${r.version} promoted: every step passed` }, now);
    const reason = next < steps.length ? `every check passed at ${where}: on to ${steps[next].weight} %` : `every check passed at ${where}: v${r.version} takes all traffic`;
    return this.store.update(r.id, r.revision, { status: 'pending', pending, lastAnalysisAt: now }, now, {
      at: now,
      action: next < steps.length ? 'advance' : 'complete',
      actor: ENGINE_ACTOR,
      reason,
      checks,
    });
  }

  private async checks(r: RolloutRecord, now: number): Promise<RolloutCheck[]> {
    const versions = { champion: r.champion!, challenger: r.version };
    const elapsed = now - r.stageStartedAt;
    if (r.stage === 'shadow') {
      return shadowChecks(r.policy, await this.options.metrics.shadow(r.modelRef, versions, r.stageStartedAt, now), elapsed);
    }
    const step = r.policy.steps[r.step!];
    const arms = await this.options.metrics.arms(r.modelRef, versions, r.policy.kpiDefinition, r.stageStartedAt, now);
    let { champion } = arms;
    if (step.weight >= 100) {
      // The champion serves nothing at 100 %: compare with what it served earlier in this rollout.
      champion = (await this.options.metrics.arms(r.modelRef, versions, r.policy.kpiDefinition, r.createdAt, r.stageStartedAt)).champion;
    }
    return canaryChecks(r.policy, step, champion, arms.challenger, elapsed);
  }

  async act(id: string, action: ManualAction, actor: string, reason: string, now = this.clock()): Promise<RolloutRecord> {
    const r = await this.store.get(id);
    if (!r) throw new NotFoundError(`No rollout ${id}`);
    const trimmed = reason.trim();
    const why = trimmed ? `: ${trimmed}` : '';
    const audit = { actorRef: actor, action: `rollout.${action}`, entityRef: r.modelRef, details: { version: r.version, reason: trimmed } };
    const decision = (text: string): NewDecision => ({ at: now, action, actor, reason: text });
    let changes: RolloutChanges;
    let text: string;
    const inProgress = !ENDED_STATUSES.includes(r.status);
    switch (action) {
      case 'pause':
        if (r.status !== 'running') throw new ConflictError(`The rollout is ${r.status}: only a running rollout can be paused`);
        changes = { status: 'paused' };
        text = `paused by ${actorText(actor)}${why}`;
        break;
      case 'resume':
        if (r.status !== 'paused') throw new ConflictError(`The rollout is ${r.status}: only a paused rollout can be resumed`);
        changes = { status: 'running', lastAnalysisAt: null };
        text = `resumed by ${actorText(actor)}${why}`;
        break;
      case 'promote':
        if (!inProgress) throw new ConflictError(`The rollout has ended (${r.status})`);
        text = `promoted now by ${actorText(actor)}${why}`;
        changes = {
          status: 'pending',
          headline: text,
          pending: this.move('set-weight', { weight: 100, mirrored: false }, { stage: 'full', step: null, status: 'succeeded', ended: true, headline: text }, now),
        };
        break;
      case 'abort':
        if (!inProgress) throw new ConflictError(`The rollout has ended (${r.status}); a finished rollout is rolled back instead`);
        text = `aborted by ${actorText(actor)}${why}`;
        changes = {
          status: 'pending',
          headline: text,
          pending: this.move('rollback', { weight: 0, mirrored: false }, { stage: 'aborted', step: null, status: 'aborted', ended: true, headline: text }, now),
        };
        break;
      case 'rollback': {
        if (r.status === 'rolled-back' || r.status === 'aborted') throw new ConflictError(`The rollout is already ${r.status}`);
        if (r.champion === null) throw new ConflictError('There is no standby champion to roll back to');
        if (r.status === 'succeeded') {
          const newer = (await this.store.list({ modelRef: r.modelRef, limit: 1 }))[0];
          if (newer && newer.id !== r.id) throw new ConflictError(`A newer rollout (v${newer.version}) has started since; roll that one back`);
          await this.options.onChampionChange?.(r, r.champion, null, actor);
        }
        text = `rolled back to v${r.champion} by ${actorText(actor)}${why}`;
        changes = {
          status: 'pending',
          headline: text,
          pending: this.move('rollback', { weight: 0, mirrored: false }, { stage: 'rolled-back', step: null, status: 'rolled-back', ended: true, headline: text }, now),
        };
        break;
      }
      default:
        throw new InputError(`action: unknown rollout action "${action}"`);
    }
    const updated = await this.store.update(r.id, r.revision, changes, now, decision(text), audit);
    if (!updated) throw new ConflictError('The rollout changed while you acted; look again and retry');
    // Carry the move out now when no other replica holds the rollout; otherwise its driver will.
    return (await this.drive(id, now)) ?? updated;
  }
}
