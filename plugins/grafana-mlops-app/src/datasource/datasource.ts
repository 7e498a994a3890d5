import {
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  TestDataSourceResponse,
} from '@grafana/data';
import { FetchError, getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { parseModelRef, policyToFrame } from './frames';
import { DEFAULT_QUERY, HealthResponse, MlopsDataSourceOptions, MlopsQuery, ModelPolicyView } from './types';

/**
 * All HTTP of the Grafana app goes through here, and through Grafana's data proxy route `mlops`
 * (plugin.json), which adds the token from secure settings: panels only render `data.series`.
 */
export class MlopsDataSource extends DataSourceApi<MlopsQuery, MlopsDataSourceOptions> {
  private readonly proxyUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<MlopsDataSourceOptions>) {
    super(instanceSettings);
    this.proxyUrl = `${instanceSettings.url}/mlops`;
  }

  getDefaultQuery(): Partial<MlopsQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: MlopsQuery): boolean {
    return !query.hide && !!query.model;
  }

  async query(options: DataQueryRequest<MlopsQuery>): Promise<DataQueryResponse> {
    const targets = options.targets.filter(t => this.filterQuery(t));
    const data = await Promise.all(
      targets.map(async target => {
        const model = getTemplateSrv().replace(target.model ?? '', options.scopedVars);
        const { namespace, name } = parseModelRef(model);
        const view = await this.get<ModelPolicyView>(
          `/models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/policy`,
        );
        return policyToFrame(view, target.refId);
      }),
    );
    return { data };
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const health = await this.get<HealthResponse>('/health');
      if (health.status !== 'ok') {
        return { status: 'error', message: `ModelRails answers, but its database is ${health.status}` };
      }
      return { status: 'success', message: `Connected to ModelRails (${health.database.client})` };
    } catch (error) {
      return { status: 'error', message: describeError(error) };
    }
  }

  private async get<T>(path: string): Promise<T> {
    const response = await lastValueFrom(getBackendSrv().fetch<T>({ url: `${this.proxyUrl}${path}`, method: 'GET' }));
    return response.data;
  }
}

function describeError(error: unknown): string {
  if (isFetchError(error)) {
    const fetchError = error as FetchError<{ error?: { message?: string } }>;
    const detail = fetchError.data?.error?.message ?? fetchError.statusText ?? '';
    return `ModelRails answered ${fetchError.status}${detail ? `: ${detail}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
