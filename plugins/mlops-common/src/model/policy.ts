import { z } from 'zod';
import { durationSchema } from '../duration';

/*
 * Per-model policy: what the gates, the rollout, drift detection, retraining and KPIs read.
 * Every field has a default taken from PRODUCT.md, so a Model without a policy block still gets
 * the platform's standard rails; parsing fills them in.
 */

const metricName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.@-]*$/, {
    message: 'must be a metric name such as "ndcg@20" or "auc"',
  });
const fraction = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();

const gateCommon = {
  /** Shown in gate results; defaults to a description derived from the gate. */
  name: z.string().min(1).max(100).optional(),
  /** An advisory gate is reported but never blocks promotion. */
  advisory: z.boolean().default(false),
};

/** The metric must be at least `min` (or at most `max` for lower-is-better metrics). */
const metricFloorGate = z
  .object({
    kind: z.literal('metric-floor'),
    metric: metricName,
    min: z.number().optional(),
    max: z.number().optional(),
    ...gateCommon,
  })
  .strict()
  .refine(g => g.min !== undefined || g.max !== undefined, {
    message: 'a metric-floor gate needs "min" or "max"',
    path: ['min'],
  });

/** The metric may not fall more than `maxRelativeDrop` below the current champion. */
const championRelativeGate = z
  .object({
    kind: z.literal('champion-relative'),
    metric: metricName,
    direction: z.enum(['higher-is-better', 'lower-is-better']).default('higher-is-better'),
    maxRelativeDrop: fraction.default(0.02),
    ...gateCommon,
  })
  .strict();

/**
 * The metric may not fall more than `maxRelativeDrop` below a historical baseline (the best of the
 * last `window` promoted versions): catches slow decay that champion-relative gates let through.
 */
const baselineRelativeGate = z
  .object({
    kind: z.literal('baseline-relative'),
    metric: metricName,
    direction: z.enum(['higher-is-better', 'lower-is-better']).default('higher-is-better'),
    maxRelativeDrop: fraction.default(0.1),
    window: positiveInt.max(100).default(8),
    ...gateCommon,
  })
  .strict();

const latencyBudgetGate = z
  .object({
    kind: z.literal('latency-budget'),
    percentile: z.enum(['p50', 'p95', 'p99']).default('p99'),
    maxMs: z.number().positive(),
    ...gateCommon,
  })
  .strict();

/** The largest gap of a metric across the slices of one attribute. */
const fairnessGate = z
  .object({
    kind: z.literal('fairness'),
    metric: metricName,
    sliceBy: z.string().min(1),
    maxGap: z.number().nonnegative(),
    ...gateCommon,
  })
  .strict();

const dataQualityGate = z
  .object({
    kind: z.literal('data-quality'),
    feature: z.string().min(1).optional(),
    maxNullRate: fraction.optional(),
    range: z
      .object({ min: z.number().optional(), max: z.number().optional() })
      .strict()
      .optional(),
    ...gateCommon,
  })
  .strict()
  .refine(g => g.maxNullRate !== undefined || g.range !== undefined, {
    message: 'a data-quality gate needs "maxNullRate" or "range"',
    path: ['maxNullRate'],
  });

/** Training-time and serving-time feature values for a frozen input set must agree. */
const featureParityGate = z
  .object({
    kind: z.literal('feature-parity'),
    tolerance: z.number().nonnegative().default(1e-6),
    ...gateCommon,
  })
  .strict();

const featureSchemaGate = z
  .object({
    kind: z.literal('feature-schema'),
    ...gateCommon,
  })
  .strict();

/** @public */
export const gateSchema = z.discriminatedUnion('kind', [
  metricFloorGate,
  championRelativeGate,
  baselineRelativeGate,
  latencyBudgetGate,
  fairnessGate,
  dataQualityGate,
  featureParityGate,
  featureSchemaGate,
]);

const rolloutStepSchema = z
  .object({
    // Whole percents: Istio's and the Gateway API's weights and KServe's canaryTrafficPercent are integers.
    weight: z.number().int({ message: 'must be a whole percent: traffic routers take integer weights' }).gt(0).max(100),
    minDuration: durationSchema.default('10m'),
    minSamples: positiveInt.default(1000),
  })
  .strict();

const DEFAULT_STEPS = [5, 25, 50, 100].map(weight => ({
  weight,
  minDuration: '10m',
  minSamples: 1000,
}));

/** Kubernetes names: DNS-1123 labels / subdomains, as the API server checks them. */
const kubernetesName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a Kubernetes name (lower-case letters, digits, "-" and ".")' });

/**
 * A router or retraining action that a backend module added through an extension point, named as it
 * was added (e.g. `acme-linkerd`); `config` is handed to it as written.
 */
const pluginTargetSchema = z
  .object({
    kind: z.literal('plugin'),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$/, { message: 'must be the name the extension was added under (lower-case letters, digits, "-", ".", "/")' }),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The arguments every retraining Workflow receives from ModelRails (RetrainActions' workflowParameters). */
const RESERVED_WORKFLOW_PARAMETERS = ['model', 'reason', 'severity', 'trigger-id', 'require-approval'];

/** A `{version}` template of a Kubernetes name or host, e.g. `ranker-v{version}`. */
const nameTemplate = z.string().min(1).max(253);

/**
 * How a rollout moves traffic. `istio`: weights of the champion's and the challenger's
 * destinations in one HTTP route of a VirtualService, told apart by subset (`subset`) or by host
 * (`hosts`, the form Argo Rollouts' Istio guide uses), shadow by mirroring, the challenger's
 * Deployment scaled down after a rollback. `kserve`: `canaryTrafficPercent` of an
 * InferenceService, judged only once KServe serves it. `gateway-api`: weights of the champion's
 * and challenger's `backendRefs` in one rule of an HTTPRoute (Istio, Envoy Gateway, Cilium…).
 * `simulated`: an in-process router (the demo). `plugin`: a router a backend module added through
 * the `mlopsTrafficRoutersExtensionPoint`, by its name. Without one, approval hands the champion
 * alias over at once.
 */
const trafficSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('istio'),
      namespace: kubernetesName,
      virtualService: kubernetesName,
      /** The `name` of the HTTP route to split; may be left out only when the VirtualService has one HTTP route. */
      route: z.string().min(1).optional(),
      /** Destination host of both subsets (subset splits); the route's first destination's when absent. */
      host: z.string().min(1).optional(),
      /** Subset name of a version, `{version}` replaced (subset splits). */
      subset: nameTemplate.default('v{version}'),
      /** Host splits: the champion's and the challenger's destination hosts (`{version}` replaced, or fixed stable/canary Services). */
      hosts: z.object({ champion: nameTemplate, challenger: nameTemplate }).strict().optional(),
      /** Deployment of a version, `{version}` replaced; scaled to 0 after a rollback. */
      deployment: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('kserve'),
      namespace: kubernetesName,
      inferenceService: kubernetesName,
    })
    .strict(),
  z
    .object({
      kind: z.literal('gateway-api'),
      namespace: kubernetesName,
      httpRoute: kubernetesName,
      /** The `name` of the rule to split; may be left out only when the HTTPRoute has one rule. */
      rule: z.string().min(1).optional(),
      /** The Service of a version, `{version}` replaced, e.g. `ranker-v{version}`. */
      backend: nameTemplate,
      /** The Services' port; the existing backendRef's when absent. */
      port: z.number().int().min(1).max(65535).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('simulated') }).strict(),
  pluginTargetSchema,
]);

const rolloutSchema = z
  .object({
    traffic: trafficSchema.optional(),
    shadow: z
      .object({
        enabled: z.boolean().default(true),
        minDuration: durationSchema.default('30m'),
        minSamples: positiveInt.default(1000),
        minAgreement: fraction.default(0.9),
        minRankCorrelation: z.number().min(-1).max(1).default(0.7),
        maxPredictionPsi: z.number().nonnegative().default(0.25),
      })
      .strict()
      .prefault({}),
    steps: z
      .array(rolloutStepSchema)
      .min(1)
      .max(20)
      .default(DEFAULT_STEPS)
      .superRefine((steps, ctx) => {
        steps.forEach((step, i) => {
          if (i > 0 && step.weight <= steps[i - 1].weight) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'weight'],
              message: 'step weights must increase',
            });
          }
        });
        if (steps.length && steps[steps.length - 1].weight !== 100) {
          ctx.addIssue({
            code: 'custom',
            path: [steps.length - 1, 'weight'],
            message: 'the last step must send 100 % of traffic',
          });
        }
      }),
    analysis: z
      .object({
        interval: durationSchema.default('1m'),
        maxErrorRate: fraction.default(0.005),
        maxP99LatencyMs: z.number().positive().default(60),
        kpi: z.string().min(1).default('ctr'),
        maxKpiRelativeDrop: fraction.default(0.02),
        significance: z.number().gt(0).lt(1).default(0.05),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const thresholdPair = z
  .object({
    warning: z.number().nonnegative(),
    critical: z.number().nonnegative(),
  })
  .strict()
  .refine(t => t.critical >= t.warning, {
    message: '"critical" must not be below "warning"',
    path: ['critical'],
  });

const driftSchema = z
  .object({
    reference: z
      .union([
        z.literal('training'),
        z.object({ rollingWindow: durationSchema }).strict(),
      ])
      .default('training'),
    /** The current window each drift report compares with the reference. */
    window: durationSchema.default('1h'),
    psi: thresholdPair.default({ warning: 0.25, critical: 0.5 }),
    ksAlpha: z.number().gt(0).lt(1).default(0.05),
    correction: z.enum(['none', 'bonferroni', 'fdr']).default('fdr'),
    /**
     * The tail check: the window's share beyond the reference's 1st/99th percentiles against the
     * reference's. Flagged when significant at `alpha` (corrected across features like the KS test)
     * and at least `warningRatio` times the reference's share; critical from `criticalRatio`.
     */
    tail: z
      .object({
        alpha: z.number().gt(0).lt(1).default(0.01),
        warningRatio: z.number().gt(1).default(1.5),
        criticalRatio: z.number().gt(1).default(3),
      })
      .strict()
      .refine(t => t.criticalRatio >= t.warningRatio, { message: 'criticalRatio must be at least warningRatio', path: ['criticalRatio'] })
      .prefault({}),
    /**
     * Backtesting every alarm: each feature's drift alarms over `window` (daily steps) set against the
     * KPIs afterwards. An alarm is followed when a KPI breaches its SLO, or falls beyond its interval,
     * within `horizon` of it. With `lowerSeverity` (off by default) a signal with at least `minAlarms`
     * alarms of which at most `maxPrecision` were followed is reported one tier lower.
     */
    backtest: z
      .object({
        window: durationSchema.default('30d'),
        horizon: durationSchema.default('3d'),
        lowerSeverity: z.boolean().default(false),
        minAlarms: z.number().int().min(1).default(3),
        maxPrecision: fraction.default(0.2),
      })
      .strict()
      .prefault({}),
    segments: z.array(z.string().min(1)).max(10).default([]),
    features: z
      .array(
        z
          .object({
            name: z.string().min(1),
            psi: thresholdPair.optional(),
            ignore: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    contract: z
      .object({
        maxNullRate: fraction.default(0.05),
        maxUnseenCategoryShare: fraction.default(0.01),
        maxOutOfRangeShare: fraction.default(0.01),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const retrainingSchema = z
  .object({
    /** Cron (five fields, UTC), such as "0 3 * * 1" for Mondays at 03:00. */
    schedule: z
      .string()
      .regex(/^\s*(\S+\s+){4}\S+\s*$/, { message: 'must be a cron expression with five fields, such as "0 3 * * 1"' })
      .optional(),
    minInterval: durationSchema.default('24h'),
    /** Matured-label metric (higher is better) and the floor below which a retrain fires. */
    performanceFloor: z
      .object({
        metric: z.string().regex(/^(auc|precision|recall|ndcg(@[1-9]\d{0,2})?)$/, {
          message: 'must be auc, precision, recall or ndcg@k',
        }),
        min: z.number(),
      })
      .strict()
      .optional(),
    maxDeclineVsBaseline: fraction.default(0.1),
    /** Outcomes of younger predictions may still arrive; evaluation waits this long. */
    labelMaturity: durationSchema.default('1h'),
    baselineWindow: durationSchema.default('7d'),
    requireApprovalOnDrift: z.boolean().default(true),
    target: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('argo-workflow'),
            namespace: kubernetesName,
            /** The WorkflowTemplate in `namespace` to run… */
            workflowTemplate: kubernetesName.optional(),
            /** …or a ClusterWorkflowTemplate. */
            clusterWorkflowTemplate: kubernetesName.optional(),
            /** The template to start at, when not the WorkflowTemplate's own entrypoint. */
            entrypoint: z.string().min(1).max(253).optional(),
            /** More arguments, e.g. those the WorkflowTemplate declares without a default. */
            parameters: z.record(z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, { message: 'must be an Argo parameter name' }), z.string().max(10_000)).optional(),
          })
          .strict()
          .superRefine((target, ctx) => {
            if (!target.workflowTemplate === !target.clusterWorkflowTemplate) {
              ctx.addIssue({ code: 'custom', path: ['workflowTemplate'], message: 'name exactly one of workflowTemplate and clusterWorkflowTemplate' });
            }
            for (const name of Object.keys(target.parameters ?? {})) {
              if (RESERVED_WORKFLOW_PARAMETERS.includes(name)) {
                ctx.addIssue({ code: 'custom', path: ['parameters', name], message: `ModelRails sets "${name}" itself` });
              }
            }
          }),
        z.object({ kind: z.literal('webhook'), url: z.url() }).strict(),
        pluginTargetSchema,
      ])
      .optional(),
  })
  .strict();

/** Outcome names as ingestion accepts them (POST /telemetry/outcomes). */
const outcomeName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, {
  message: 'must be an outcome name as telemetry sends it, lower_snake_case such as "click"',
});
/** Segment tags as prediction events carry them (`segment: {platform: "ios"}`). */
const segmentName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/, {
  message: 'must be a segment tag name such as "platform"',
});

const kpiTerm = z.discriminatedUnion('source', [
  /** Every prediction event (an impression, a request answered). */
  z.object({ source: z.literal('predictions') }).strict(),
  /** Predictions that received at least one positive label of `outcome` (a click, a purchase, a session). */
  z.object({ source: z.literal('outcome'), outcome: outcomeName }).strict(),
]);

const termKey = (t: z.output<typeof kpiTerm>) => (t.source === 'outcome' ? `outcome:${t.outcome}` : t.source);

/**
 * The outcome a KPI term counts, if it counts one.
 *
 * @public
 */
export function outcomeOf(term: { source: 'predictions' } | { source: 'outcome'; outcome: string }): string | undefined {
  return term.source === 'outcome' ? term.outcome : undefined;
}

const kpiSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, {
      message: 'must be lower_snake_case, such as "ctr"',
    }),
    title: z.string().min(1).optional(),
    numerator: kpiTerm,
    denominator: kpiTerm,
    direction: z.enum(['higher-is-better', 'lower-is-better']).default('higher-is-better'),
    /** The band the KPI should stay in; a proportion's bounds are shares (0 to 1). */
    slo: z
      .object({ min: z.number().optional(), max: z.number().optional() })
      .strict()
      .refine(s => s.min === undefined || s.max === undefined || s.min <= s.max, {
        message: '"min" must not exceed "max"',
        path: ['min'],
      })
      .optional(),
    /** Segment tags to slice by; predictions are summarised per value of each. */
    segments: z.array(segmentName).max(10).default([]),
  })
  .strict()
  .superRefine((kpi, ctx) => {
    if (termKey(kpi.numerator) === termKey(kpi.denominator)) {
      ctx.addIssue({ code: 'custom', path: ['denominator'], message: 'must differ from the numerator (the KPI would always be 1)' });
    }
    if (isProportionKpi(kpi)) {
      for (const bound of ['min', 'max'] as const) {
        const value = kpi.slo?.[bound];
        if (value !== undefined && (value < 0 || value > 1)) {
          ctx.addIssue({ code: 'custom', path: ['slo', bound], message: 'must be a share between 0 and 1 (the KPI is a share of predictions)' });
        }
      }
    }
    const seen = new Set<string>();
    kpi.segments.forEach((segment, i) => {
      if (seen.has(segment)) ctx.addIssue({ code: 'custom', path: ['segments', i], message: `"${segment}" appears twice` });
      seen.add(segment);
    });
  });

/**
 * A KPI counting the predictions with an outcome among all predictions is a binomial proportion:
 * it gets a confidence interval, and the canary can test it. A ratio of two outcome counts is not.
 * @public
 */
export function isProportionKpi(kpi: { numerator: { source: string }; denominator: { source: string } }): boolean {
  return kpi.numerator.source === 'outcome' && kpi.denominator.source === 'predictions';
}

const kubernetesWorkload = (kind: 'Deployment' | 'InferenceService') =>
  z.object({ kind: z.literal(kind), namespace: kubernetesName, name: kubernetesName }).strict();

/**
 * What serving the model costs: its replicas, priced per replica-hour by the environment's rate in
 * app-config (`mlops.cost.environments`). Replicas are read from Deployments (status.replicas) and
 * KServe InferenceServices (the predictor's ready replicas), or fixed.
 */
const costSchema = z
  .object({
    environment: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { message: 'must be an environment name such as "production"' }).default('production'),
    replicas: z
      .array(
        z.discriminatedUnion('kind', [
          kubernetesWorkload('Deployment'),
          kubernetesWorkload('InferenceService'),
          z.object({ kind: z.literal('fixed'), count: z.number().int().min(0).max(10_000) }).strict(),
        ]),
      )
      .min(1)
      .max(20),
    /** The cost per 1,000 predictions the model should stay under: its SLO band. */
    maxPer1k: z.number().positive().optional(),
    /** For LLM serving: the cost per million tokens (input and output) to stay under. */
    maxPer1MTokens: z.number().positive().optional(),
  })
  .strict();

/**
 * Service levels of LLM serving, read from the tokens and time to first token its telemetry
 * carries: the 95th percentile of time to first token, and the median decode rate per request.
 */
const llmSchema = z
  .object({
    maxTimeToFirstTokenMs: z.number().positive().max(600_000).optional(),
    minOutputTokensPerSecond: z.number().positive().max(100_000).optional(),
  })
  .strict();

const DEFAULT_KPIS = [
  {
    name: 'ctr',
    title: 'Click-through rate',
    numerator: { source: 'outcome' as const, outcome: 'click' },
    denominator: { source: 'predictions' as const },
    direction: 'higher-is-better' as const,
    segments: [],
  },
];

/** @public */
export const modelPolicySchema = z
  .object({
    gates: z.array(gateSchema).max(50).default([]),
    rollout: rolloutSchema.prefault({}),
    drift: driftSchema.prefault({}),
    retraining: retrainingSchema.prefault({}),
    kpis: z
      .array(kpiSchema)
      .max(30)
      .default(DEFAULT_KPIS)
      .superRefine((kpis, ctx) => {
        const seen = new Set<string>();
        kpis.forEach((kpi, i) => {
          if (seen.has(kpi.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `KPI "${kpi.name}" is defined twice`,
            });
          }
          seen.add(kpi.name);
        });
      }),
    cost: costSchema.optional(),
    llm: llmSchema.optional(),
    approvals: z
      .object({ expiresAfter: durationSchema.default('72h') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const dimensions = segmentDimensions(policy);
    if (dimensions.length > 10) {
      ctx.addIssue({
        code: 'custom',
        path: ['kpis'],
        message: `slices telemetry by ${dimensions.length} segment tags with drift.segments (${dimensions.join(', ')}); at most 10`,
      });
    }
    const kpi = policy.rollout.analysis.kpi;
    const definition = policy.kpis.find(k => k.name === kpi);
    if (!definition) {
      ctx.addIssue({
        code: 'custom',
        path: ['rollout', 'analysis', 'kpi'],
        message: `names KPI "${kpi}", which is not among the model's kpis`,
      });
    } else if (!isProportionKpi(definition)) {
      // The canary compares two proportions: outcomes of the predictions each version made.
      ctx.addIssue({
        code: 'custom',
        path: ['rollout', 'analysis', 'kpi'],
        message: `names KPI "${kpi}", which is not a share of predictions (an outcome over predictions), so the canary cannot test it`,
      });
    }
  });

/** @public */
export type ModelPolicy = z.output<typeof modelPolicySchema>;
/** @public */
export type ModelPolicyInput = z.input<typeof modelPolicySchema>;
/** @public */
export type Gate = z.output<typeof gateSchema>;
/**
 * The segment tags telemetry is summarised by: drift's and every KPI's, once each.
 *
 * @public
 */
export function segmentDimensions(policy: { drift: { segments: string[] }; kpis: Array<{ segments: string[] }> }): string[] {
  return [...new Set([...policy.drift.segments, ...policy.kpis.flatMap(k => k.segments)])];
}

/** @public */
export type CostPolicy = NonNullable<ModelPolicy['cost']>;
/** @public */
export type LlmServingPolicy = NonNullable<ModelPolicy['llm']>;
/** @public */
export type KpiDefinition = ModelPolicy['kpis'][number];
/** @public */
export type RolloutStep = ModelPolicy['rollout']['steps'][number];
/** @public */
export type TrafficTarget = NonNullable<ModelPolicy['rollout']['traffic']>;
