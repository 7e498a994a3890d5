import { parseDuration } from '@modelrails/plugin-mlops-common';
import { RegistryService } from '../registry/RegistryService';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DatabaseTelemetryStore, SummaryRetention } from './DatabaseTelemetryStore';
import { RESOLUTIONS } from './constants';
import { telemetryRetentionTask } from './retention';
import { summaryCompactionTask } from './compaction';
import { ChangeFeed } from './TelemetryChanges';
import { telemetryRoutes } from './routes';
import { DefaultTelemetryService } from './TelemetryService';
import { TelemetryStore } from './TelemetryStore';

export type { TelemetryService } from './TelemetryService';
export type { TelemetryStore } from './TelemetryStore';
export { DatabaseTelemetryStore } from './DatabaseTelemetryStore';

/**
 * How long raw events and summaries are kept: raw events `rawRetention` (7d); summaries by
 * resolution, finer ones for less time (`fiveMinuteRetention` 48h, `hourlyRetention` 30d, daily rows
 * `summaryRetention` 90d). Queries over older ranges read the coarser rows.
 */
export function telemetryRetention(config: MlopsContext['config']) {
  const duration = (key: string, fallback: string) => parseDuration(config.getOptionalString(`mlops.telemetry.${key}`) ?? fallback);
  const summaryRetentionMs = duration('summaryRetention', '90d');
  const hourly = Math.min(duration('hourlyRetention', '30d'), summaryRetentionMs);
  const fiveMinutes = Math.min(duration('fiveMinuteRetention', '48h'), hourly);
  return {
    rawRetentionMs: duration('rawRetention', '7d'),
    summaryRetentionMs,
    keptMs: { [RESOLUTIONS[0]]: fiveMinutes, [RESOLUTIONS[1]]: hourly, [RESOLUTIONS[2]]: summaryRetentionMs } as SummaryRetention,
  };
}

/** Telemetry: batched predictions, outcomes and profiles from serving fleets, summarised as they arrive. */
export function createTelemetry(ctx: MlopsContext, deps: { registry: RegistryService }) {
  const retention = telemetryRetention(ctx.config);
  const store: TelemetryStore = new DatabaseTelemetryStore(ctx.db, { keptMs: retention.keptMs });
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
    tasks: [telemetryRetentionTask({ store, logger: ctx.logger, ...retention }), summaryCompactionTask({ store, logger: ctx.logger }), feed.task(ctx.logger)],
  } satisfies Concern & Record<string, unknown>;
}
