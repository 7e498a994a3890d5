import { DataQuery, DataSourceJsonData } from '@grafana/schema';

/** What a query asks the ModelRails backend for. More kinds arrive with drift, canary and KPI endpoints. */
export type MlopsQueryType = 'policy';

export interface MlopsQuery extends DataQuery {
  queryType?: MlopsQueryType;
  /** A Model entity as `namespace/name`; template variables allowed. */
  model?: string;
}

export const DEFAULT_QUERY: Partial<MlopsQuery> = {
  queryType: 'policy',
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
