import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { BUCKET_MS } from './constants';
import { TelemetryStore } from './TelemetryStore';

/**
 * Every 30 minutes one replica removes raw events and summaries past their retention (per
 * resolution), and compresses the hourly and daily rows older than the 5-minute rows' retention.
 */
export function telemetryRetentionTask(options: {
  store: Pick<TelemetryStore, 'purge' | 'compressSummaries'>;
  logger: LoggerService;
  rawRetentionMs: number;
  /** How long summaries are kept at each resolution (bucket length in ms → ms). */
  keptMs: Record<number, number>;
}): ScheduledTask {
  return {
    id: 'mlops-telemetry-retention',
    scope: 'global',
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
    fn: async () => {
      const now = Date.now();
      const summaries = Object.fromEntries(Object.entries(options.keptMs).map(([bucketMs, kept]) => [bucketMs, now - kept]));
      const removed = await options.store.purge({ rawEvents: now - options.rawRetentionMs, summaries });
      if (removed) options.logger.info(`Telemetry retention removed ${removed} rows`);
      const fiveMinutes = options.keptMs[BUCKET_MS];
      if (fiveMinutes !== undefined) {
        const compressed = await options.store.compressSummaries(now - fiveMinutes);
        if (compressed) options.logger.debug(`Telemetry retention compressed ${compressed} hourly and daily rows`);
      }
    },
  };
}
