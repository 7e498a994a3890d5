import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { TelemetryStore } from './TelemetryStore';

/**
 * What has been committed to each model's summaries: a generation per model (an answer computed at
 * a generation stays exact while the generation holds) and, for listeners, the oldest bucket each
 * commit touched. This replica's commits count at once; other replicas' commits arrive through the
 * change feed below within a few seconds.
 */
export class TelemetryChanges {
  private readonly generations = new Map<string, number>();
  private readonly listeners = new Set<(modelRef: string, oldestBucket: number) => void>();

  generation(modelRef: string): number {
    return this.generations.get(modelRef) ?? 0;
  }

  /** A commit (here or on another replica) wrote summaries of `modelRef` in buckets from `oldestBucket` on. */
  committed(modelRef: string, oldestBucket: number) {
    this.generations.set(modelRef, this.generation(modelRef) + 1);
    for (const listener of this.listeners) listener(modelRef, oldestBucket);
  }

  onCommit(listener: (modelRef: string, oldestBucket: number) => void) {
    this.listeners.add(listener);
  }
}

/** The oldest bucket per model among committed rows, `bucketOf` giving a row's bucket. */
export function oldestBucketPerModel<R extends { modelRef: string }>(rows: Iterable<R>, bucketOf: (row: R) => number) {
  const oldest = new Map<string, number>();
  for (const r of rows) oldest.set(r.modelRef, Math.min(oldest.get(r.modelRef) ?? Infinity, bucketOf(r)));
  return oldest;
}

/** How far back each read of the feed looks: longer than any commit takes between its id and its commit. */
export const CHANGE_FEED_LOOKBACK_MS = 60_000;
/** Feed rows older than this are deleted. */
export const CHANGE_FEED_KEEP_MS = 10 * 60_000;

/**
 * Every 2 s on every replica: the commits other replicas announced since the last read become
 * local invalidations. Reads a window of recent rows rather than "ids above the last one": on
 * PostgreSQL a lower id can commit after a higher one, and would be skipped.
 */
export class ChangeFeed {
  private readonly seen = new Map<number, number>();
  private lastPrune = 0;

  constructor(
    private readonly options: {
      store: Pick<TelemetryStore, 'summaryChanges' | 'pruneSummaryChanges'>;
      changes: TelemetryChanges;
      replica: string;
      now?: () => number;
    },
  ) {}

  async poll() {
    const now = this.options.now?.() ?? Date.now();
    for (const row of await this.options.store.summaryChanges(now - CHANGE_FEED_LOOKBACK_MS)) {
      if (this.seen.has(row.id)) continue;
      this.seen.set(row.id, row.at);
      if (row.replica !== this.options.replica) this.options.changes.committed(row.modelRef, row.oldestBucket);
    }
    for (const [id, at] of this.seen) if (at < now - 2 * CHANGE_FEED_LOOKBACK_MS) this.seen.delete(id);
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      await this.options.store.pruneSummaryChanges(now - CHANGE_FEED_KEEP_MS);
    }
  }

  task(logger: LoggerService): ScheduledTask {
    return {
      id: 'mlops-telemetry-change-feed',
      scope: 'local',
      frequency: { seconds: 2 },
      timeout: { seconds: 30 },
      fn: async () => {
        try {
          await this.poll();
        } catch (error) {
          logger.warn(`Telemetry change feed: ${(error as Error).message}`);
        }
      },
    };
  }
}
