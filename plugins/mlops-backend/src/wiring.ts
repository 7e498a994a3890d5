import {
  AuditorService,
  AuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { KubeConfig } from '@kubernetes/client-node';
import { Knex } from 'knex';
import { ModelRailsStore } from './database/ModelRailsStore';
import { TelemetryMetrics } from './metrics/MlopsMetrics';
import { ModelPolicyService } from './policy/ModelPolicyService';
import { PolicyLookup } from './policy/PolicyLookup';
import { RouteContext } from './router/router';

/*
 * How concerns are put together: each concern's index.ts has one factory that takes the plugin's
 * shared context and answers its services, its routes and its scheduled tasks. plugin.ts calls the
 * factories in dependency order, registers every concern's routes and schedules every task.
 */

/** A task for Backstage's scheduler (global tasks run on one replica at a time). */
export type ScheduledTask = SchedulerServiceTaskScheduleDefinition & SchedulerServiceTaskInvocationDefinition;

/** What a concern hands to the plugin besides its services. */
export type Concern = {
  routes?(http: RouteContext): void;
  tasks?: Array<ScheduledTask | undefined>;
};

/** What every concern may use: the core services, the database, and the shared lookups. */
export type MlopsContext = {
  config: RootConfigService;
  logger: LoggerService;
  /** This process's name among the replicas: rollout leases, the telemetry change feed, metrics. */
  replica: string;
  auth: AuthService;
  auditor: AuditorService;
  permissions: PermissionsService;
  catalog: CatalogService;
  urlReader: UrlReaderService;
  db: Knex;
  /** The audit trail and the database's health. */
  store: ModelRailsStore;
  /** Set when `mlops.kubernetes` is configured. */
  kubeConfig?: KubeConfig;
  metrics: TelemetryMetrics;
  /** Models and their policies as a user or machine may read them. */
  policies: ModelPolicyService;
  /** A Model's policy on the plugin's own authority (one cached lookup for every concern). */
  policyOf: PolicyLookup;
};

/**
 * Registers every concern's routes on the shared router and schedules every task, counting each
 * run on this replica (`mlops_task_runs_total`: summed over replicas, a global task's runs show it
 * ran once per interval).
 */
export async function wireConcerns(concerns: Concern[], http: RouteContext, scheduler: SchedulerService, metrics?: TelemetryMetrics) {
  for (const concern of concerns) concern.routes?.(http);
  for (const task of concerns.flatMap(c => c.tasks ?? [])) {
    if (!task) continue;
    const run = task.fn;
    await scheduler.scheduleTask({
      ...task,
      fn: async signal => {
        try {
          await run(signal);
          metrics?.countTaskRun(task.id, task.scope ?? 'global', 'ok');
        } catch (error) {
          metrics?.countTaskRun(task.id, task.scope ?? 'global', 'failed');
          throw error;
        }
      },
    });
  }
}

/**
 * The extensions of one kind by name: the plugin's built-in ones, registered first, and those
 * backend modules added through an extension point. Each name once; a module cannot replace a
 * built-in one.
 */
export class NamedExtensions<T> {
  private readonly extensions = new Map<string, { extension: T; builtIn: boolean }>();

  constructor(
    /** What is added, for messages: e.g. `Traffic router`. */
    private readonly what: string,
  ) {}

  addBuiltIn(name: string, extension: T) {
    this.extensions.set(name, { extension, builtIn: true });
  }

  add(name: string, extension: T) {
    const existing = this.extensions.get(name);
    if (existing?.builtIn) throw new Error(`${this.what} "${name}" is built in; add yours under another name`);
    if (existing) throw new Error(`${this.what} "${name}" was already added`);
    this.extensions.set(name, { extension, builtIn: false });
  }

  get(name: string): T | undefined {
    return this.extensions.get(name)?.extension;
  }

  names(): string[] {
    return [...this.extensions.keys()];
  }
}
