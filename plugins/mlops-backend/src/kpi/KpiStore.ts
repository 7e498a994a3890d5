/** Predictions with a positive label of `outcome`, in one bucket of one version and segment. */
export type LabelRollup = {
  version: string;
  /** `*` for all traffic, else `tag=value`. */
  segment: string;
  outcome: string;
  bucketMs: number;
  bucketStart: number;
  positives: number;
};

/** The model's replicas and their price per hour from `observedAt` until the next sample. */
export type ReplicaSample = {
  modelRef: string;
  observedAt: number;
  environment: string;
  replicas: number;
  hourlyCost: number;
};

export interface KpiStore {
  /** Per outcome, until when the model's label rollups are final (absent: nothing settled yet). */
  settledUntil(modelRef: string): Promise<Map<string, number>>;
  /**
   * Recounts, from raw predictions and labels, the predictions made in [from, to) (5-minute
   * aligned) with a positive label of each outcome, for all traffic and per value of each segment
   * tag in `dimensions`: the 5-minute rows are replaced and hour and day rows moved by the
   * difference, in one transaction. With `settle`, [.., to) is recorded as final for the outcomes.
   */
  recountLabels(modelRef: string, outcomes: string[], dimensions: string[], from: number, to: number, settle: boolean): Promise<void>;
  /** Rows in (bucket size, first start, end) ranges such as coverWithRollups gives. */
  readLabelRollups(query: {
    modelRef: string;
    outcomes: string[];
    ranges: Array<[number, number, number]>;
    version?: string;
    segments?: string[];
  }): Promise<LabelRollup[]>;

  /** Records a sample when replicas or price differ from the one in effect at its time; true when written. */
  addReplicaSample(sample: ReplicaSample): Promise<boolean>;
  /** Samples in [from, to), preceded by the last one before `from` (it still applies then). */
  replicaSamples(modelRef: string, from: number, to: number): Promise<ReplicaSample[]>;
  /** Deletes rollups whose buckets ended before `before`, and samples superseded before it. */
  purge(before: number): Promise<number>;
}
