import { ENDED_ROLLOUT_STATUSES, KpiDefinition, ModelPolicy, RolloutAction, RolloutCheck, RolloutDecision, RolloutStage, RolloutStatus, TrafficTarget } from '@modelrails/plugin-mlops-common';
import { NewAuditEvent } from '../database/ModelRailsStore';

/** What a verified traffic move changes in the rollout. */
export type Transition = {
  stage: RolloutStage;
  step: number | null;
  status: RolloutStatus;
  headline?: string | null;
  ended?: boolean;
};

/**
 * A traffic move, written to the database before the router is asked and cleared only once the
 * router's answer shows it: a crash or an outage in between leaves it here to be retried.
 */
export type PendingMove = {
  kind: 'enter-shadow' | 'set-weight' | 'rollback' | 'scale-down';
  weight: number;
  mirrored: boolean;
  since: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  /** Applied once the move is verified. */
  then: Transition;
};

/** The model's rollout policy and its canary KPI's definition, as they were when the rollout began. */
export type RolloutPolicy = ModelPolicy['rollout'] & { kpiDefinition: KpiDefinition };

export type RolloutRecord = {
  id: string;
  modelRef: string;
  version: string;
  champion: string | null;
  promotionId: string | null;
  traffic: TrafficTarget;
  policy: RolloutPolicy;
  stage: RolloutStage;
  status: RolloutStatus;
  step: number | null;
  /** The challenger's share as last verified in the router. */
  weight: number;
  mirrored: boolean;
  pending: PendingMove | null;
  scaledDown: boolean;
  stageStartedAt: number;
  lastAnalysisAt: number | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  headline: string | null;
  revision: number;
};

export type NewDecision = {
  at: number;
  action: RolloutAction;
  actor: string;
  reason: string;
  checks?: RolloutCheck[];
};

export type RolloutChanges = Partial<
  Pick<RolloutRecord, 'stage' | 'status' | 'step' | 'weight' | 'mirrored' | 'pending' | 'scaledDown' | 'stageStartedAt' | 'lastAnalysisAt' | 'endedAt' | 'headline'>
>;

export const ENDED_STATUSES = ENDED_ROLLOUT_STATUSES;

export interface RolloutStore {
  /** ConflictError when the model already has a rollout that has not ended. */
  create(
    input: Omit<RolloutRecord, 'id' | 'revision' | 'updatedAt' | 'lastAnalysisAt' | 'endedAt' | 'headline' | 'scaledDown'>,
    decision: NewDecision,
    audit: NewAuditEvent,
  ): Promise<RolloutRecord>;
  get(id: string): Promise<RolloutRecord | undefined>;
  /** Newest first. `unfinished`: the ones the engine still has work on (not ended, or not scaled down). */
  list(filter: { modelRef?: string; unfinished?: boolean; limit?: number }): Promise<RolloutRecord[]>;
  /**
   * Applies the changes only if the rollout is still at `revision`, with its decision and audit
   * row in the same transaction. Undefined when someone else changed it first.
   */
  update(id: string, revision: number, changes: RolloutChanges, now: number, decision?: NewDecision, audit?: NewAuditEvent): Promise<RolloutRecord | undefined>;
  /** Newest first. */
  decisions(id: string, limit: number): Promise<RolloutDecision[]>;
  /** True when `owner` now holds the rollout's lease until `now + ttlMs`. */
  acquireLease(id: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(id: string, owner: string): Promise<void>;
}
