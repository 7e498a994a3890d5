/*
 * Drift reports as the backend returns them (GET /models/{namespace}/{name}/drift).
 */

/** @public */
export type Severity = 'none' | 'warning' | 'critical' | 'insufficient';
/** @public */
export type ContractCheck = 'missing-feature' | 'null-spike' | 'type-change' | 'unseen-categories' | 'out-of-range';

/** @public */
export type FeatureDrift = {
  feature: string;
  segment: string;
  /** `target`: the rate of positive labels of `outcome` on matured predictions. */
  kind: 'numeric' | 'categorical' | 'prediction' | 'target';
  n: number;
  referenceN: number;
  test: 'ks' | 'chi-square' | 'psi' | 'none';
  severity: Severity;
  /** False when the finding is explained by a segment (see attributedTo) or there is none. */
  flagged: boolean;
  attributedTo?: string[];
  psi: number | null;
  ksStatistic: number | null;
  pValue: number | null;
  jensenShannon: number | null;
  wasserstein: number | null;
  thresholds: { warning: number; critical: number };
  unseenCategories?: string[];
  /** Target drift only: the outcome and its positive rate now and in the reference. */
  outcome?: string;
  rates?: { current: number | null; reference: number | null };
};

/** @public */
export type ContractViolation = {
  feature: string;
  segment: string;
  check: ContractCheck;
  /** Share in the latest violating bucket, and the policy's limit. */
  value: number;
  threshold: number;
  firstBucket: string;
  lastBucket: string;
  /** Still violated in the feature's latest bucket with data. */
  open: boolean;
  flagged: boolean;
  attributedTo?: string[];
};

/** @public */
export type DriftReport = {
  modelRef: string;
  version: string | null;
  window: { from: string; to: string };
  reference: { kind: 'training'; version: string | null } | { kind: 'rolling'; from: string; to: string };
  alpha: number;
  correction: 'none' | 'bonferroni' | 'fdr';
  segments: string[];
  events: number;
  features: FeatureDrift[];
  violations: ContractViolation[];
  status: { drift: Severity; openViolations: number };
};

/** A retraining trigger as the backend lists it (GET /models/{namespace}/{name}/retrain-triggers). @public */
export type RetrainTriggerView = {
  id: string;
  modelRef: string;
  reason: 'schedule' | 'drift' | 'performance' | 'manual';
  severity: 'normal' | 'critical';
  /** submitted: the workflow or webhook accepted it; recorded: no target configured; suppressed: rate limit. */
  status: 'submitted' | 'recorded' | 'suppressed' | 'failed';
  /** Drift-triggered: the version it produces waits for a person before canary. */
  approvalBeforeCanary: boolean;
  details: Record<string, unknown>;
  action: Record<string, unknown> | null;
  createdAt: string;
};

/** One feature in one step of a drift series: the same verdict a drift report of that step gives. @public */
export type DriftCell = {
  n: number;
  test: FeatureDrift['test'];
  severity: Severity;
  psi: number | null;
  pValue: number | null;
  jensenShannon: number | null;
  /** Contract checks that failed in a stored row within the step. */
  violations: ContractCheck[];
};

/**
 * Each feature's drift per step of a window, for one version and segment
 * (GET /models/{namespace}/{name}/drift/series). `cells[i]` belongs to `steps[i]`.
 * @public
 */
export type DriftSeries = {
  modelRef: string;
  version: string | null;
  segment: string;
  from: string;
  to: string;
  stepMs: number;
  reference: DriftReport['reference'];
  steps: Array<{ start: string; end: string; events: number }>;
  features: Array<{
    feature: string;
    kind: FeatureDrift['kind'];
    thresholds: { warning: number; critical: number };
    cells: DriftCell[];
  }>;
  /** Contract violations within the window, as the stored rows of the series' resolution show them. */
  violations: ContractViolation[];
};

/** One bin of a feature's distribution: shares of the reference and of the window's values. @public */
export type DistributionBin = {
  label: string;
  /** Numeric bins: values in (lower, upper]; null is unbounded. Categories: both null. */
  lower: number | null;
  upper: number | null;
  reference: number;
  current: number;
};

/**
 * A feature's reference and current distributions over a window, with its drift verdict
 * (GET /models/{namespace}/{name}/drift/distribution).
 * @public
 */
export type FeatureDistribution = {
  modelRef: string;
  version: string | null;
  segment: string;
  feature: string;
  window: { from: string; to: string };
  drift: FeatureDrift;
  bins: DistributionBin[];
};
