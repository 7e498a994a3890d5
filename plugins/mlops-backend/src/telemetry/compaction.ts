import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { TelemetryStore } from './TelemetryStore';

/**
 * Every 10 seconds one replica folds the summaries ingestion appended into the stored rows, so
 * readers merge few appended rows (a batch's rows are read correctly before, just less cheaply).
 */
export function summaryCompactionTask(options: { store: Pick<TelemetryStore, 'compactSummaries'>; logger: LoggerService }): ScheduledTask {
  return {
    id: 'mlops-summary-compaction',
    scope: 'global',
    frequency: { seconds: 10 },
    timeout: { minutes: 5 },
    fn: async () => {
      const folded = await options.store.compactSummaries();
      if (folded) options.logger.debug(`Summary compaction folded ${folded} appended rows`);
    },
  };
}
