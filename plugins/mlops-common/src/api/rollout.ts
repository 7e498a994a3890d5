import type { RolloutStatus } from '../schema/openapi/generated/models';

/** The actor of the rollout engine's own decisions in the decision log and the audit. @public */
export const ROLLOUT_ENGINE_ACTOR = 'plugin:mlops:rollout-engine';

/** Statuses after which a rollout changes no more traffic (but for a roll back of a success). @public */
export const ENDED_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['succeeded', 'rolled-back', 'aborted'];
