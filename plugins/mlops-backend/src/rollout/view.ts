import { Rollout } from '@modelrails/plugin-mlops-common';
import { RolloutRecord } from './RolloutStore';

const iso = (ms: number) => new Date(ms).toISOString();

/** A rollout as the API returns it. */
export function rolloutView(r: RolloutRecord): Rollout {
  const t = r.traffic;
  let target = 'simulated traffic';
  if (t.kind === 'istio') target = `VirtualService ${t.namespace}/${t.virtualService}`;
  if (t.kind === 'kserve') target = `InferenceService ${t.namespace}/${t.inferenceService}`;
  if (t.kind === 'gateway-api') target = `HTTPRoute ${t.namespace}/${t.httpRoute}`;
  if (t.kind === 'plugin') target = `traffic router "${t.name}"`;
  return {
    id: r.id,
    modelRef: r.modelRef,
    version: r.version,
    champion: r.champion,
    promotionId: r.promotionId,
    router: t.kind,
    target,
    stage: r.stage,
    status: r.status,
    step: r.step,
    steps: r.policy.steps,
    weight: r.weight,
    mirrored: r.mirrored,
    pending: r.pending
      ? {
          kind: r.pending.kind,
          weight: r.pending.weight,
          since: iso(r.pending.since),
          attempts: r.pending.attempts,
          nextAttemptAt: iso(r.pending.nextAttemptAt),
          ...(r.pending.lastError ? { lastError: r.pending.lastError } : {}),
        }
      : null,
    scaledDown: r.scaledDown,
    stageStartedAt: iso(r.stageStartedAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    endedAt: r.endedAt === null ? null : iso(r.endedAt),
    headline: r.headline,
  };
}
