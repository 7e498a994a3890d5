import type { ModelAlias } from '../schema/openapi/generated/models';

/** Every alias a version can hold, in the order the portal shows them. @public */
export const MODEL_ALIASES: readonly ModelAlias[] = ['champion', 'challenger', 'standby'];

/** Lineage node ids: readable, and parseable back into what they name. @public */
export const lineageNodeId = {
  dataset: (ref: string, version: string) => `dataset:${ref}@${version}`,
  run: (source: string, id: string) => `run:${source}:${id}`,
  model: (ref: string, version: string) => `model:${ref}@${version}`,
  deployment: (modelRef: string, version: string, d: { environment: string; cluster: string; namespace: string }) =>
    `deployment:${modelRef}@${version}/${d.environment}/${d.cluster}/${d.namespace}`,
};
