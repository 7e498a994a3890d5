export interface Config {
  /** ModelRails backend plugin. */
  mlops?: {
    demo?: {
      /**
       * Seed the embedded demo: versions, lineage, aliases and deployments for the demo models in
       * catalog/. Models that already have versions are left alone.
       * @visibility backend
       */
      enabled?: boolean;
    };
  };
}
