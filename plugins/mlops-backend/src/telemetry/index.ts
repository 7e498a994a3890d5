import { parseDuration } from '@modelrails/plugin-mlops-common';
import { RegistryService } from '../registry/RegistryService';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { telemetryRetentionTask } from './retention';
import { ChangeFeed } from './TelemetryChanges';
import { telemetryRoutes } from './routes';
import { DefaultTelemetryService } from './TelemetryService';
import { TelemetryStore } from './TelemetryStore';

export type { TelemetryService } from './TelemetryService';
export type { TelemetryStore } from './TelemetryStore';
export { DatabaseTelemetryStore } from './DatabaseTelemetryStore';

/** How long raw events and summaries are kept (`mlops.telemetry.rawRetention`, `summaryRetention`). */
export function telemetryRetention(config: MlopsContext['config']) {
  return {
    rawRetentionMs: parseDuration(config.getOptionalString('mlops.telemetry.rawRetention') ?? '7d'),
    summaryRetentionMs: parseDuration(config.getOptionalString('mlops.telemetry.summaryRetention') ?? '90d'),
  };
}

/** Telemetry: batched predictions, outcomes and profiles from serving fleets, summarised as they arrive. */
export function createTelemetry(ctx: MlopsContext, deps: { registry: RegistryService }) {
  const store: TelemetryStore = new DatabaseTelemetryStore(ctx.db);
  const retention = telemetryRetention(ctx.config);
  const service = new DefaultTelemetryService({
    store,
    policies: ctx.policyOf,
    metrics: ctx.metrics,
    rawSampleRate: ctx.config.getOptionalNumber('mlops.telemetry.rawSampleRate') ?? 0.01,
    retentionMs: retention.rawRetentionMs,
    replica: ctx.replica,
    logger: ctx.logger,
  });
  const feed = new ChangeFeed({ store, changes: service.changes, replica: ctx.replica });
  return {
    service,
    store,
    routes: (http: RouteContext) => telemetryRoutes(http, { telemetry: service, registry: deps.registry }),
    tasks: [telemetryRetentionTask({ store, logger: ctx.logger, ...retention }), feed.task(ctx.logger)],
  } satisfies Concern & Record<string, unknown>;
}
