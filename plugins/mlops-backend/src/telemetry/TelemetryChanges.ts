import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { TelemetryStore } from './TelemetryStore';

/** Commits remembered per model for `oldestSince`: a busy model commits a few times a second. */
const RECENT_COMMITS = 1000;

/**
 * What has been committed to each model's summaries: a generation per model (an answer computed at
 * a generation stays exact while the generation holds) and, for listeners, the oldest bucket each
 * commit touched. This replica's commits count at once; other replicas' commits arrive through the
 * change feed below within a few seconds.
 */
export class TelemetryChanges {
  private readonly generations = new Map<string, number>();
  /** Each model's last commits, oldest first: which buckets changed since a generation. */
  private readonly recent = new Map<string, Array<{ generation: number; oldestBucket: number }>>();
  private readonly listeners = new Set<(modelRef: string, oldestBucket: number) => void>();

  generation(modelRef: string): number {
    return this.generations.get(modelRef) ?? 0;
  }

  /** A commit (here or on another replica) wrote summaries of `modelRef` in buckets from `oldestBucket` on. */
  committed(modelRef: string, oldestBucket: number) {
    const generation = this.generation(modelRef) + 1;
    this.generations.set(modelRef, generation);
    let commits = this.recent.get(modelRef);
    if (!commits) this.recent.set(modelRef, (commits = []));
    commits.push({ generation, oldestBucket });
    if (commits.length > RECENT_COMMITS) commits.shift();
    for (const listener of this.listeners) listener(modelRef, oldestBucket);
  }

  /**
   * The oldest bucket the commits of `modelRef` after `generation` wrote: what was computed at that
   * generation from buckets before it still holds. Infinity when nothing was committed since;
   * -Infinity when more commits came than are remembered (everything may have changed).
   */
  oldestSince(modelRef: string, generation: number): number {
    if (this.generation(modelRef) === generation) return Infinity;
    const commits = this.recent.get(modelRef) ?? [];
    if (!commits.length || commits[0].generation > generation + 1) return -Infinity;
    let oldest = Infinity;
    for (let i = commits.length - 1; i >= 0 && commits[i].generation > generation; i--) oldest = Math.min(oldest, commits[i].oldestBucket);
    return oldest;
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
