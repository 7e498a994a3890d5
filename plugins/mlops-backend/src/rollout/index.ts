import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { RegistryStore } from '../registry/RegistryStore';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { RolloutStarter } from '../promotion/PromotionService';
import { TelemetryCanaryMetrics } from './CanaryMetrics';
import { IstioTrafficRouter } from './IstioTrafficRouter';
import { KServeTrafficRouter } from './KServeTrafficRouter';
import { DefaultRolloutEngine, ENGINE_ACTOR, RolloutEngine } from './RolloutEngine';
import { RolloutRecord, RolloutStore } from './RolloutStore';
import {
  mlopsRolloutAbortPermission,
  mlopsRolloutPausePermission,
  mlopsRolloutPromotePermission,
  mlopsRolloutResumePermission,
  mlopsRolloutRollbackPermission,
  ModelPolicy,
  Rollout,
} from '@modelrails/plugin-mlops-common';
import { SimulatedTraffic } from './SimulatedTrafficRouter';
import { DefaultCanaryJudge } from './CanaryJudge';
import { TrafficRouter, TrafficRouterError } from './TrafficRouter';

export { DatabaseRolloutStore } from './DatabaseRolloutStore';
export { SimulatedTraffic } from './SimulatedTrafficRouter';
export { DefaultCanaryJudge } from './CanaryJudge';
export type { CanaryJudge, JudgeRequest } from './CanaryJudge';
export type { RolloutEngine, ManualAction } from './RolloutEngine';
export type { RolloutStore } from './RolloutStore';

/** A router for targets that need Kubernetes when `mlops.kubernetes` is not configured: holds the rollout pending. */
function unconfigured(what: string): TrafficRouter {
  const fail = async (): Promise<never> => {
    throw new TrafficRouterError(`${what}: mlops.kubernetes is not configured`);
  };
  return { describe: () => what, read: fail, apply: fail, scaleDown: fail };
}

/** The rollout engine with its routers, metrics and the champion alias handover, for plugin.ts. */
export function createRolloutEngine(options: {
  store: RolloutStore;
  telemetry: TelemetryStore;
  registry: RegistryStore;
  kubeConfig?: KubeConfig;
  simulated: SimulatedTraffic;
  moveExternalAlias?: (modelRef: string, alias: string, version: string) => Promise<void>;
  onEnded?: (record: RolloutRecord) => Promise<void>;
}): RolloutEngine {
  const { kubeConfig } = options;
  return new DefaultRolloutEngine({
    store: options.store,
    metrics: new TelemetryCanaryMetrics(options.telemetry),
    owner: `${hostname()}-${randomUUID().slice(0, 8)}`,
    routerFor: r => {
      const t = r.traffic;
      if (t.kind === 'simulated') return options.simulated.router(r.modelRef);
      if (t.kind === 'istio') return kubeConfig ? new IstioTrafficRouter(kubeConfig, t) : unconfigured(`VirtualService ${t.namespace}/${t.virtualService}`);
      return kubeConfig ? new KServeTrafficRouter(kubeConfig, t) : unconfigured(`InferenceService ${t.namespace}/${t.inferenceService}`);
    },
    onEnded: options.onEnded,
    onChampionChange: async (r, champion, standby, actor) => {
      if (standby) await options.registry.setAlias(r.modelRef, 'standby', standby, actor);
      await options.registry.setAlias(r.modelRef, 'champion', champion, actor);
      await options.moveExternalAlias?.(r.modelRef, 'champion', champion);
    },
  });
}

/** The judge endpoint's test, on the same metrics and checks as the engine. */
export function createCanaryJudge(options: { telemetry: TelemetryStore; registry: RegistryStore; policyOf(modelRef: string): Promise<ModelPolicy | undefined> }) {
  return new DefaultCanaryJudge({ metrics: new TelemetryCanaryMetrics(options.telemetry), registry: options.registry, policyOf: options.policyOf });
}

/** What PromotionService needs of the engine. */
export function rolloutStarter(engine: RolloutEngine, store: RolloutStore): RolloutStarter {
  return {
    assertNoneInProgress: async modelRef => {
      const open = (await store.list({ modelRef, unfinished: true, limit: 1 })).find(r => r.endedAt === null);
      if (open) throw new ConflictError(`${modelRef} already has a rollout in progress (v${open.version}); finish or abort it first`);
    },
    start: input => engine.start(input),
  };
}

/** Drives every unfinished rollout every few seconds, on one replica at a time. */
export async function scheduleRollouts(options: { scheduler: SchedulerService; logger: LoggerService; engine: RolloutEngine }) {
  await options.scheduler.scheduleTask({
    id: 'mlops-rollouts',
    scope: 'global',
    frequency: { seconds: 5 },
    timeout: { minutes: 2 },
    fn: async () => {
      try {
        await options.engine.driveAll();
      } catch (error) {
        options.logger.warn(`${ENGINE_ACTOR}: ${(error as Error).message}`);
      }
    },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A rollout as the API returns it. */
export function rolloutView(r: RolloutRecord): Rollout {
  const t = r.traffic;
  let target = 'simulated traffic';
  if (t.kind === 'istio') target = `VirtualService ${t.namespace}/${t.virtualService}`;
  if (t.kind === 'kserve') target = `InferenceService ${t.namespace}/${t.inferenceService}`;
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

/** The permission each action needs. */
export const ROLLOUT_ACTION_PERMISSIONS = {
  pause: mlopsRolloutPausePermission,
  resume: mlopsRolloutResumePermission,
  promote: mlopsRolloutPromotePermission,
  abort: mlopsRolloutAbortPermission,
  rollback: mlopsRolloutRollbackPermission,
} as const;
