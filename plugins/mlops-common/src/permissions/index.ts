import { createPermission } from '@backstage/plugin-permission-common';

/*
 * The permissions of ModelRails (PRODUCT.md C13). Each capability's routes check exactly one of
 * these; external tokens are scoped by the same names in backend.auth.externalAccess.
 */

/** @public */
export const MODEL_RESOURCE_TYPE = 'mlops-model';

/**
 * Read models, versions, lineage, telemetry summaries and decisions. A basic permission: lineage
 * crosses models (a dataset version trains many), so reading is granted or refused as a whole.
 * @public
 */
export const mlopsReadPermission = createPermission({
  name: 'mlops.model.read',
  attributes: { action: 'read' },
});

/** Register model versions (CI, MLflow sync). @public */
export const mlopsRegisterPermission = createPermission({
  name: 'mlops.version.register',
  attributes: { action: 'create' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Request promotion of a version to an environment. @public */
export const mlopsPromotionRequestPermission = createPermission({
  name: 'mlops.promotion.request',
  attributes: { action: 'create' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Approve or reject someone else's promotion request. @public */
export const mlopsPromotionApprovePermission = createPermission({
  name: 'mlops.promotion.approve',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Promote despite a failing gate, with a written reason. @public */
export const mlopsPromotionOverridePermission = createPermission({
  name: 'mlops.promotion.override',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Pause a rollout: it holds its weights and stops analysing until resumed. @public */
export const mlopsRolloutPausePermission = createPermission({
  name: 'mlops.rollout.pause',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Resume a paused rollout. @public */
export const mlopsRolloutResumePermission = createPermission({
  name: 'mlops.rollout.resume',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Promote now: skip the remaining steps and send all traffic to the challenger. @public */
export const mlopsRolloutPromotePermission = createPermission({
  name: 'mlops.rollout.promote',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Abort a rollout in progress: traffic back to the champion, the challenger scaled down. @public */
export const mlopsRolloutAbortPermission = createPermission({
  name: 'mlops.rollout.abort',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Roll back a finished rollout to the warm-standby champion. @public */
export const mlopsRolloutRollbackPermission = createPermission({
  name: 'mlops.rollout.rollback',
  attributes: { action: 'update' },
  resourceType: MODEL_RESOURCE_TYPE,
});

/** Send telemetry (prediction events, outcome labels, profiles). @public */
export const mlopsIngestPermission = createPermission({
  name: 'mlops.telemetry.ingest',
  attributes: { action: 'create' },
});

/** The permission each rollout action needs. @public */
export const mlopsRolloutActionPermissions = {
  pause: mlopsRolloutPausePermission,
  resume: mlopsRolloutResumePermission,
  promote: mlopsRolloutPromotePermission,
  abort: mlopsRolloutAbortPermission,
  rollback: mlopsRolloutRollbackPermission,
} as const;

/** @public */
export const mlopsPermissions = [
  mlopsReadPermission,
  mlopsRegisterPermission,
  mlopsPromotionRequestPermission,
  mlopsPromotionApprovePermission,
  mlopsPromotionOverridePermission,
  mlopsRolloutPausePermission,
  mlopsRolloutResumePermission,
  mlopsRolloutPromotePermission,
  mlopsRolloutAbortPermission,
  mlopsRolloutRollbackPermission,
  mlopsIngestPermission,
];
