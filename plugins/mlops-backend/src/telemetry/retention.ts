import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { TelemetryStore } from './TelemetryStore';

/** Every 30 minutes one replica removes raw events and summaries past their retention. */
export function telemetryRetentionTask(options: {
  store: Pick<TelemetryStore, 'purge'>;
  logger: LoggerService;
  rawRetentionMs: number;
  summaryRetentionMs: number;
}): ScheduledTask {
  return {
    id: 'mlops-telemetry-retention',
    scope: 'global',
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
    fn: async () => {
      const now = Date.now();
      const removed = await options.store.purge({ rawEvents: now - options.rawRetentionMs, summaries: now - options.summaryRetentionMs });
      if (removed) options.logger.info(`Telemetry retention removed ${removed} rows`);
    },
  };
}
