import { ContractCheck, ContractViolation, DriftAlarm, DriftSeries, FeatureDrift } from '@modelrails/plugin-mlops-common';

/** What a drift series holds of one step: every feature's verdict and contract findings in it. */
export type StepVerdict = {
  events: number;
  reference: DriftSeries['reference'];
  /** Features with rows in the step (judged, whether or not a verdict was possible). */
  present: string[];
  drift: Map<string, FeatureDrift>;
  /** Per feature, the checks that raised its alarm in the step (its distribution test, the tail check). */
  alarms: Map<string, DriftAlarm[]>;
  hits: Map<string, ContractCheck[]>;
  /** Violations found within the step, in feature order. */
  violations: ContractViolation[];
  /** Features with enough values in the step for their contract checks to decide. */
  checked: string[];
};

type Entry = { modelRef: string; end: number; at: number; verdict: StepVerdict };

/**
 * Verdicts of closed steps, kept so a series over many steps (30 days of 12-hour cells) only
 * computes the steps it has not seen. A step's verdict depends on its rows and the rows before it
 * (a rolling reference), so a commit touching a bucket drops the model's steps ending after that
 * bucket, whichever replica made the commit (the telemetry change feed tells of the others' within
 * seconds). Entries also expire after `maxAgeMs`, a bound should a commit's announcement be lost.
 */
export class StepVerdicts {
  /** In least-recently-used order. */
  private readonly entries = new Map<string, Entry>();
  private readonly keysOfModel = new Map<string, Set<string>>();

  constructor(
    private readonly options: { maxEntries: number; maxAgeMs: number; now: () => number },
  ) {}

  get(modelRef: string, series: string, start: number): StepVerdict | undefined {
    const key = `${modelRef}\u0000${series}\u0000${start}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.options.now() - entry.at > this.options.maxAgeMs) {
      this.keysOfModel.get(modelRef)?.delete(key);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.verdict;
  }

  set(modelRef: string, series: string, start: number, end: number, verdict: StepVerdict) {
    const key = `${modelRef}\u0000${series}\u0000${start}`;
    this.entries.delete(key);
    this.entries.set(key, { modelRef, end, at: this.options.now(), verdict });
    let keys = this.keysOfModel.get(modelRef);
    if (!keys) this.keysOfModel.set(modelRef, (keys = new Set()));
    keys.add(key);
    while (this.entries.size > this.options.maxEntries) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.keysOfModel.get(entry.modelRef)?.delete(oldest);
    }
  }

  /** A commit wrote `modelRef`'s buckets from `oldestBucket` on. */
  invalidate(modelRef: string, oldestBucket: number) {
    const keys = this.keysOfModel.get(modelRef);
    if (!keys) return;
    for (const key of keys) {
      if ((this.entries.get(key)?.end ?? Infinity) > oldestBucket) {
        this.entries.delete(key);
        keys.delete(key);
      }
    }
  }

  get size() {
    return this.entries.size;
  }
}

/** A step's verdict as kept in the database (JSON; its maps as entry lists). */
export function storedVerdict(verdict: StepVerdict): string {
  return JSON.stringify({ ...verdict, drift: [...verdict.drift], alarms: [...verdict.alarms], hits: [...verdict.hits] });
}

export function verdictFromStored(text: string): StepVerdict {
  const stored = JSON.parse(text);
  return { ...stored, drift: new Map(stored.drift), alarms: new Map(stored.alarms), hits: new Map(stored.hits) };
}
