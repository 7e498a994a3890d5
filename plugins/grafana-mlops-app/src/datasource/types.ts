import { DataQuery, DataSourceJsonData } from '@grafana/schema';

/** What a query asks the ModelRails backend for (see mlopsFrames.ts for the frames each returns). */
export type MlopsQueryType = 'kpi' | 'performance' | 'drift' | 'backtest' | 'contract' | 'canary' | 'annotations' | 'policy';

export const QUERY_TYPES: Array<{ value: MlopsQueryType; label: string; description: string }> = [
  { value: 'kpi', label: 'KPIs', description: "A model's KPIs, latency, errors and cost per 1K; every model when no model is set" },
  { value: 'performance', label: 'Performance', description: "A model's ROC AUC, precision and recall estimated before labels (CBPE), realised beside them" },
  { value: 'drift', label: 'Drift', description: "Each feature's drift per step; a feature adds its distributions" },
  { value: 'backtest', label: 'Drift backtest', description: "Each feature's drift alarms against the KPI changes after them (the policy's backtest window)" },
  { value: 'contract', label: 'Contract', description: 'Contract violations in the time range' },
  { value: 'canary', label: 'Canary', description: "The model's latest rollout: stages, checks, decisions" },
  { value: 'annotations', label: 'Annotations', description: 'Promotions and rollouts' },
  { value: 'policy', label: 'Policy', description: "The model's policy in words" },
];

export interface MlopsQuery extends DataQuery {
  queryType?: MlopsQueryType;
  /** A Model entity as `namespace/name`; template variables allowed. Empty for the KPI overview. */
  model?: string;
  /** A version label; empty for the busiest (drift) or all versions (KPIs). */
  version?: string;
  /** Drift: a feature whose reference and current distributions to add; template variables allowed. */
  feature?: string;
  /** Drift and contract: `all` (default) or tag=value. KPIs: comma-separated segment tags. */
  segment?: string;
  /** Canary: a rollout id; empty for the model's newest rollout. */
  rolloutId?: string;
}

export const DEFAULT_QUERY: Partial<MlopsQuery> = {
  queryType: 'kpi',
};

/** Non-secret settings: where the Backstage backend is. */
export interface MlopsDataSourceOptions extends DataSourceJsonData {
  backstageUrl?: string;
}

/** Kept by Grafana, sent only through the data proxy route, never to the browser. */
export interface MlopsSecureJsonData {
  token?: string;
}

/** Response of GET /api/mlops/models/{namespace}/{name}/policy (see the backend's openapi.yaml). */
export interface ModelPolicyView {
  entityRef: string;
  title?: string;
  type: string;
  lifecycle: string;
  sections: Array<{ title: string; lines: Array<{ label: string; value: string }> }>;
}

/** Response of GET /api/mlops/health. */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  database: { client: string; reachable: boolean; migrations: string[] };
}
