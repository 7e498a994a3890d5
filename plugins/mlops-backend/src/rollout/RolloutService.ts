import { NotFoundError } from '@backstage/errors';
import { ModelEvent, Promotion, Rollout, RolloutDetail } from '@modelrails/plugin-mlops-common';
import { modelEvents } from './modelEvents';
import { ManualAction, RolloutEngine } from './RolloutEngine';
import { RolloutStore } from './RolloutStore';
import { rolloutView } from './view';

/** Decisions shown with a rollout: the newest, enough for a day of one-minute analyses. */
const ROLLOUT_DECISIONS = 500;
/** Rollouts listed per model, newest first. */
const ROLLOUTS_LISTED = 100;

/** What the API does with rollouts: read them, act on them, and tell a model's events. */
export interface RolloutService {
  list(modelRef: string): Promise<Rollout[]>;
  /** NotFoundError for an unknown id. */
  detail(id: string): Promise<RolloutDetail>;
  /** The model a rollout belongs to (permissions are checked on it before an action). */
  modelOf(id: string): Promise<string>;
  act(id: string, action: ManualAction, actor: string, reason: string): Promise<RolloutDetail>;
  /** A model's promotions and rollouts as events in [from, to). */
  events(modelRef: string, from: number, to: number): Promise<ModelEvent[]>;
}

export class DefaultRolloutService implements RolloutService {
  constructor(
    private readonly engine: RolloutEngine,
    private readonly store: RolloutStore,
    private readonly promotions: { list(filter: { modelRef: string }): Promise<Promotion[]> },
  ) {}

  async list(modelRef: string) {
    return (await this.store.list({ modelRef, limit: ROLLOUTS_LISTED })).map(rolloutView);
  }

  async detail(id: string) {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`No rollout ${id}`);
    return { ...rolloutView(record), decisions: await this.store.decisions(id, ROLLOUT_DECISIONS) };
  }

  async modelOf(id: string) {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`No rollout ${id}`);
    return record.modelRef;
  }

  async act(id: string, action: ManualAction, actor: string, reason: string) {
    await this.engine.act(id, action, actor, reason);
    return this.detail(id);
  }

  async events(modelRef: string, from: number, to: number) {
    const [promotions, rollouts] = await Promise.all([this.promotions.list({ modelRef }), this.list(modelRef)]);
    return modelEvents(promotions, rollouts, from, to);
  }
}
