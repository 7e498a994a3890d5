import { AlertKind } from '@modelrails/plugin-mlops-common';

/**
 * The runbooks every Model has, one per alert ModelRails raises. A model's own runbook that names
 * the alert takes its place in the alert's link; these stay listed beside it.
 */
export const BUILTIN_RUNBOOKS: Record<AlertKind, { title: string; markdown: string }> = {
  'contract-violation': {
    title: 'Contract violation',
    markdown: `# Contract violation

**Severity: page.** A feature the model reads no longer looks like it did in training: it is
missing, its type changed, nulls spiked, unseen categories arrived or values left their range. At
least five offending values in a 5-minute bucket opened the alert; it closes by itself once a bucket
passes again.

## First five minutes

1. Read the open alerts beside this page: which feature, which check, which segment. A finding one
   segment explains (say \`platform=android\`) points at that client or pipeline, not at the model.
2. Open the model's **Drift** tab and the feature's distribution: compare current values with the
   training profile. A type change (strings where numbers were) means an upstream re-encoding.
3. If production traffic is affected and a warm standby exists, **roll back** (below) while the
   producer is found: the standby was trained on the old encoding too, so rolling back only helps
   when the newer version reads the changed feature differently.
4. Pause any rollout of this model: its analysis compares versions on broken inputs.

## Then

- Find the producer of the feature (the model's feature sets in the catalog name their owners) and
  ask for a revert or a versioned change.
- Once fixed, watch the next buckets pass: the alert closes by itself.
`,
  },
  'data-drift': {
    title: 'Data drift',
    markdown: `# Data drift

**Severity: warning.** A feature's distribution moved away from the reference (the training
profile, or a rolling window): PSI above the policy's warning threshold on large samples, or a KS /
chi-square test below its corrected α on small ones.

## What to check

1. The top drifting features beside this page, and whether one segment explains them.
2. Whether the model's KPIs moved with it (the **KPIs** card): drift that does not hurt a KPI can
   wait for the next scheduled retraining.
3. The retraining triggers on the **Drift** tab: a drift trigger may already have started a
   retraining whose version waits for a person before its canary.

## When to act now

PSI above the critical threshold on a feature with high importance, with a KPI outside its band:
roll back if the standby was trained on data closer to today's, otherwise retrain.
`,
  },
  'latency-regression': {
    title: 'Latency regression',
    markdown: `# Latency regression

**Severity: page.** Serving latency is over the model's budget (its latency gate, else the
rollout analysis' p99 limit).

## First five minutes

1. Is a rollout running? A challenger at 10 % that is slower shows up as a latency regression of the
   whole model: **pause** the rollout (below), then look at its analysis.
2. Compare throughput with yesterday: a traffic spike without more replicas raises latency on any
   version.
3. If the regression started with the last deploy (below) and the warm standby is healthy, **roll
   back**.

## Then

Check the serving pods (CPU throttling, GPU memory, a cold cache after a restart) and the feature
store's response times: a slow feature lookup is counted in the model's latency.
`,
  },
  'error-rate': {
    title: 'Error-rate SLO burn',
    markdown: `# Error-rate SLO burn

**Severity: page** when the error budget burns fast (14.4 times the sustainable rate over an hour,
or 6 times over 6 hours), **warning** when it burns steadily. The objective is the model's rollout
analysis limit on failed predictions (\`maxErrorRate\`), over the predictions of every replica.

## First five minutes

1. Is a rollout running? A failing challenger raises the whole model's error rate: **pause** it,
   then read its analysis (errors per arm).
2. Which version fails? The Versions tab and Grafana's error panels split by version.
3. If the errors started with the last deploy and the warm standby is healthy, **roll back**.

## Then

Read the serving logs for the failing requests: timeouts to a feature store or a downstream model,
inputs the model cannot parse (see the contract alerts), out-of-memory restarts.
`,
  },
  'canary-rollback': {
    title: 'Canary rolled back',
    markdown: `# Canary rolled back

**Severity: page.** The rollout engine returned all traffic to the champion because the
challenger failed its analysis (error rate, p99 latency or the canary KPI against the champion).

## What to check

1. The rollout's last decision beside this page: every check's measured value against its
   threshold, both sample sizes, the p-value.
2. Whether traffic really went back: the rollout shows weight 0 and the challenger scaled down.
3. Nothing else needs doing at once: production is on the champion. Tell the version's author, and
   keep the version out of production until the cause is understood.
`,
  },
  'feature-store-outage': {
    title: 'Feature-store outage',
    markdown: `# Feature-store outage

**Severity: page.** Features arrive missing or null across many features at once: the online
feature store (or the path to it) is failing, and the model predicts on defaults.

## First five minutes

1. The open alerts beside this page: several features *missing* or *null spike* at once, on every
   segment, is the feature store rather than one producer.
2. Check the feature store's status page and its on-call.
3. Pause any rollout of this model: its analysis would compare two versions on default inputs.
4. Rolling back does not help: every version reads the same store.

## Then

When the store recovers, the alerts close by themselves as buckets pass. Check the drift tab for
the hours in between before judging any KPI from them.
`,
  },
};
