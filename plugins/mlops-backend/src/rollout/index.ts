import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { RegistryStore } from '../registry/RegistryStore';
import { handOverProductionTraffic } from '../registry/production';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { RolloutStarter } from '../promotion/PromotionService';
import { TelemetryCanaryMetrics } from './CanaryMetrics';
import { DefaultRolloutEngine, ENGINE_ACTOR, RolloutEngine } from './RolloutEngine';
import { RolloutRecord, RolloutStore } from './RolloutStore';
import { ModelPolicy, Promotion } from '@modelrails/plugin-mlops-common';
import { DefaultCanaryJudge } from './CanaryJudge';
import { DatabaseRolloutStore } from './DatabaseRolloutStore';
import { DefaultRolloutService } from './RolloutService';
import { rolloutRoutes } from './routes';
import { TrafficRouters } from './TrafficRouters';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext, ScheduledTask } from '../wiring';

export { DatabaseRolloutStore };
export { TrafficRouters } from './TrafficRouters';
export type { RolloutService } from './RolloutService';
export { rolloutView } from './view';
export { SimulatedTraffic } from './SimulatedTrafficRouter';
export { DefaultCanaryJudge } from './CanaryJudge';
export type { CanaryJudge, JudgeRequest } from './CanaryJudge';
export type { RolloutEngine, ManualAction } from './RolloutEngine';
export type { RolloutStore } from './RolloutStore';

/** The rollout engine with its routers, metrics and the champion alias handover, for plugin.ts. */
export function createRolloutEngine(options: {
  store: RolloutStore;
  telemetry: TelemetryStore;
  registry: RegistryStore;
  routers: TrafficRouters;
  moveExternalAlias?: (modelRef: string, alias: string, version: string) => Promise<void>;
  onEnded?: (record: RolloutRecord) => Promise<void>;
  /** This replica's name for the leases (decisions record who held the lease). */
  owner?: string;
}): RolloutEngine {
  return new DefaultRolloutEngine({
    store: options.store,
    metrics: new TelemetryCanaryMetrics(options.telemetry),
    owner: options.owner ?? `${hostname()}-${randomUUID().slice(0, 8)}`,
    routerFor: r => options.routers.routerFor(r),
    onEnded: options.onEnded,
    onChampionChange: async (r, champion, standby, actor) => {
      if (standby) await options.registry.setAlias(r.modelRef, 'standby', standby, actor);
      await options.registry.setAlias(r.modelRef, 'champion', champion, actor);
      await options.moveExternalAlias?.(r.modelRef, 'champion', champion);
      // The router moved production traffic: success hands it to the challenger, a later rollback back.
      const from = champion === r.version ? r.champion : r.version;
      if (from) await handOverProductionTraffic(options.registry, r.modelRef, from, champion, actor);
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
export function rolloutsTask(options: { logger: LoggerService; engine: RolloutEngine }): ScheduledTask {
  return {
    id: 'mlops-rollouts',
    scope: 'global',
    frequency: { seconds: 5 },
    // The scheduler's lock of a run lasts this long: a replica killed mid-run hands the rollouts to
    // another after it (each rollout's own lease stops two drivers meeting if a slow run outlasts it).
    timeout: { seconds: 30 },
    fn: async () => {
      try {
        await options.engine.driveAll();
      } catch (error) {
        options.logger.warn(`${ENGINE_ACTOR}: ${(error as Error).message}`);
      }
    },
  };
}

/**
 * Rollouts: the engine that moves traffic step by step through the routers (built-in and added by
 * modules), the judge for Argo Rollouts and Flagger, and the routes people act through.
 */
export function createRollout(
  ctx: MlopsContext,
  deps: {
    registry: RegistryStore;
    telemetry: TelemetryStore;
    routers: TrafficRouters;
    moveExternalAlias?: (modelRef: string, alias: string, version: string) => Promise<void>;
    /** Told when a rollout reaches an ended status (owners are notified). */
    onEnded?: (record: RolloutRecord) => Promise<void>;
    /** A model's promotions, for its event timeline. */
    promotions: { list(filter: { modelRef: string }): Promise<Promotion[]> };
  },
) {
  const store: RolloutStore = new DatabaseRolloutStore(ctx.db, ctx.store);
  const engine = createRolloutEngine({ store, ...deps, owner: ctx.replica });
  const service = new DefaultRolloutService(engine, store, deps.promotions);
  const judge = createCanaryJudge({ telemetry: deps.telemetry, registry: deps.registry, policyOf: ctx.policyOf });
  return {
    engine,
    store,
    service,
    starter: rolloutStarter(engine, store),
    routes: (http: RouteContext) => rolloutRoutes(http, { rollouts: service, judge, policies: ctx.policies, auth: ctx.auth }),
    tasks: [rolloutsTask({ logger: ctx.logger, engine })],
  } satisfies Concern & Record<string, unknown>;
}
