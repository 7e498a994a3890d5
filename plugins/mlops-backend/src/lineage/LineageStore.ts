import { DatasetConsumers, LineageGraph } from '@modelrails/plugin-mlops-common';

/** Reads the lineage graph. */
export interface LineageStore {
  /** The lineage around a node (see lineageNodeId), at most `depth` edges away, both directions. */
  lineage(rootId: string, depth: number): Promise<LineageGraph | undefined>;
  /** Model versions trained on a dataset version, and where each serves. */
  datasetConsumers(datasetRef: string, version: string): Promise<DatasetConsumers | undefined>;
}
