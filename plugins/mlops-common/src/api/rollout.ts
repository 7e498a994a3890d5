/*
 * Rollouts as the backend returns them (GET /models/{namespace}/{name}/rollouts, /rollouts/{id}).
 */

/** The actor of the rollout engine's own decisions in the decision log and the audit. @public */
export const ROLLOUT_ENGINE_ACTOR = 'plugin:mlops:rollout-engine';

/** @public */
export type RolloutStage = 'shadow' | 'canary' | 'full' | 'rolled-back' | 'aborted';

/**
 * `running`: analysed every interval. `paused`: weights held, no analysis. `pending`: a traffic
 * move is not yet verified in Kubernetes (unreachable, 5xx): retried with backoff, never skipped.
 * `succeeded`, `rolled-back`, `aborted`: ended.
 * @public
 */
export type RolloutStatus = 'running' | 'paused' | 'pending' | 'succeeded' | 'rolled-back' | 'aborted';

/** Statuses after which a rollout changes no more traffic (but for a roll back of a success). @public */
export const ENDED_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['succeeded', 'rolled-back', 'aborted'];

/** @public */
export type RolloutStepView = { weight: number; minDuration: string; minSamples: number };

/** A traffic move written ahead of Kubernetes and not yet read back from it. @public */
export type PendingTrafficMove = {
  /** What the move does once verified. */
  kind: 'enter-shadow' | 'set-weight' | 'rollback' | 'scale-down';
  /** The challenger's share of traffic the move sets. */
  weight: number;
  since: string;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
};

/** @public */
export type Rollout = {
  id: string;
  modelRef: string;
  /** The challenger. */
  version: string;
  /** The champion it replaces (the warm standby during and after the rollout). */
  champion: string | null;
  promotionId: string | null;
  /** The router kind; `plugin` for a router a backend module added. */
  router: 'istio' | 'kserve' | 'simulated' | 'plugin';
  /** Where traffic is moved, e.g. `VirtualService ml/home-feed`. */
  target: string;
  stage: RolloutStage;
  status: RolloutStatus;
  /** Canary step (0-based into `steps`) while in `canary`. */
  step: number | null;
  steps: RolloutStepView[];
  /** The challenger's share of traffic as last verified in Kubernetes (0 in shadow). */
  weight: number;
  /** Shadow: the challenger receives a mirror of the champion's traffic. */
  mirrored: boolean;
  pending: PendingTrafficMove | null;
  /** The challenger's workload was scaled down after a rollback or abort. */
  scaledDown: boolean;
  stageStartedAt: string;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** Why the rollout ended or is held: "rolled back: error rate 1.2 % > 0.5 % at 25 %". */
  headline: string | null;
};

/** @public */
export type RolloutCheckName = 'error-rate' | 'p99-latency' | 'kpi' | 'agreement' | 'rank-correlation' | 'prediction-psi' | 'samples' | 'duration';

/**
 * One check of one analysis. `inconclusive`: too few samples to judge (never a pass).
 * `collecting`: enough samples, but the evidence is not yet significant either way.
 * @public
 */
export type RolloutCheck = {
  check: RolloutCheckName;
  verdict: 'pass' | 'fail' | 'inconclusive' | 'collecting';
  /** The measured value (a share, milliseconds, a correlation…), null when nothing was measured. */
  value: number | null;
  threshold: number;
  /** How value and threshold compare for a pass. */
  comparator: '<=' | '>=';
  championN: number;
  challengerN: number;
  /** The champion's value where the check compares (KPI, latency), and a test's p-value. */
  championValue?: number | null;
  pValue?: number | null;
  /** 95 % interval of the challenger-minus-champion relative difference (KPI). */
  interval?: [number, number] | null;
  detail: string;
};

/** @public */
export type RolloutAction =
  | 'start'
  | 'hold'
  | 'advance'
  | 'complete'
  | 'rollback'
  | 'pause'
  | 'resume'
  | 'promote'
  | 'abort'
  | 'scale-down'
  | 'retry';

/** One entry of the decision log: an analysis with its checks, or a person's action. @public */
export type RolloutDecision = {
  id: number;
  rolloutId: string;
  at: string;
  stage: RolloutStage;
  step: number | null;
  weight: number;
  action: RolloutAction;
  /** `plugin:mlops:rollout-engine` for the engine's own decisions. */
  actor: string;
  reason: string;
  checks: RolloutCheck[];
};

/** @public */
export type RolloutDetail = Rollout & { decisions: RolloutDecision[] };

/** The answer of the judge endpoint (Argo Rollouts web metric, Flagger webhook). @public */
export type JudgeVerdict = {
  /** `inconclusive` covers too few samples and evidence still being collected: never a pass. */
  verdict: 'pass' | 'fail' | 'inconclusive';
  modelRef: string;
  champion: string;
  challenger: string;
  /** The window analysed, from `since` (or the last `window`) to now. */
  from: string;
  to: string;
  checks: RolloutCheck[];
};

/** Something that happened to a model's serving version: a Grafana annotation, a chart marker. @public */
export type ModelEvent = {
  at: string;
  kind:
    | 'promotion-requested'
    | 'promotion-approved'
    | 'promotion-rejected'
    | 'rollout-started'
    | 'rollout-succeeded'
    | 'rollout-rolled-back'
    | 'rollout-aborted';
  version: string;
  title: string;
  text: string;
  actor: string | null;
  link: { kind: 'promotion' | 'rollout'; id: string };
};
