import { NewModelVersion } from '../plugins/mlops-backend/src/registry/RegistryStore';

/*
 * The benchmark's lineage graph: 400 dataset versions, 400 training runs each reading four of
 * them, and 1,200 model versions (three per run) spread over the demo models — 2,000 nodes, one
 * connected component.
 */
export const DATASETS = 400;
export const RUNS = 400;
export const VERSIONS_PER_RUN = 3;
export const MODELS = [
  'home-feed-ranker',
  'related-items-ranker',
  'candidate-retrieval-two-tower',
  'ad-ctr-predictor',
  'checkout-fraud-detector',
  'dynamic-pricing-regressor',
];

const hex = (n: number) => n.toString(16).padStart(64, '0');

export function datasetOf(i: number) {
  return { ref: `resource:default/bench-dataset-${i % 40}`, version: `v${i}`, digest: `sha256:${hex(i + 1)}` };
}

/** The datasets run r reads: a ring plus three chords, so every dataset is a few hops from every other. */
export function runInputs(r: number): number[] {
  return [...new Set([r % DATASETS, (r + 1) % DATASETS, (r * 37 + 11) % DATASETS, (r * 101 + 53) % DATASETS])];
}

export function benchVersions(): NewModelVersion[] {
  const out: NewModelVersion[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < VERSIONS_PER_RUN; k++) {
      const n = r * VERSIONS_PER_RUN + k;
      out.push({
        modelRef: `model:default/${MODELS[n % MODELS.length]}`,
        version: `bench-${n}`,
        artifact: { uri: `s3://bench/${n}`, digest: `sha256:${hex(100000 + n)}` },
        hyperparameters: { n },
        metrics: { auc: 0.7 + (n % 100) / 1000 },
        run: { source: 'ci', id: `bench-run-${r}` },
        datasets: runInputs(r).map(datasetOf),
        featureSets: [],
        creator: 'user:default/alice',
        source: 'ci',
      });
    }
  }
  return out;
}

/** The same version as the HTTP API takes it (POST /models/{ns}/{name}/versions). */
export function asRequestBody(v: NewModelVersion) {
  return {
    version: v.version,
    artifact: v.artifact,
    hyperparameters: v.hyperparameters,
    metrics: v.metrics,
    training: { run: { id: v.run!.id }, datasets: v.datasets },
    createdBy: v.creator,
  };
}
