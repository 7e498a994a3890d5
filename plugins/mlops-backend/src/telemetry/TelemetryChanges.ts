/**
 * What this process has committed to each model's summaries: a generation per model (an answer
 * computed at a generation stays exact while the generation holds) and, for listeners, the oldest
 * bucket each commit touched. Commits through other replicas are not seen here, so caches built
 * on this also bound the age of what they keep.
 */
export class TelemetryChanges {
  private readonly generations = new Map<string, number>();
  private readonly listeners = new Set<(modelRef: string, oldestBucket: number) => void>();

  generation(modelRef: string): number {
    return this.generations.get(modelRef) ?? 0;
  }

  /** A commit wrote summaries of `modelRef` in buckets from `oldestBucket` on. */
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
