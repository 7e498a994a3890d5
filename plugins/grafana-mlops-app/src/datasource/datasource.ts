import {
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
  TestDataSourceResponse,
} from '@grafana/data';
import { FetchError, getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
// Types and the point limits only: the package has no side effects, so the bundle keeps just these.
import {
  MAX_SERIES_POINTS,
  type DriftSeries,
  type FeatureDistribution,
  type Backtest,
  type GetEvaluation200Response,
  type KpiOverview,
  type KpiReport,
  type ModelEvent,
  type Rollout,
  type RolloutDetail,
} from '@modelrails/plugin-mlops-common';
import { alignedWindow, stepFor } from './window';
import { lastValueFrom } from 'rxjs';
import { parseModelRef } from './modelRef';
import { backtestFrame, canaryFrames, contractFrame, distributionFrame, driftFrames, eventsFrame, kpiOverviewFrames, kpiReportFrames, performanceFrames, policyToFrame } from './mlopsFrames';
import { DEFAULT_QUERY, HealthResponse, MlopsDataSourceOptions, MlopsQuery, ModelPolicyView } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const query = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value) {
      search.set(key, value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

/**
 * All HTTP of the Grafana app goes through here, and through Grafana's data proxy route `mlops`
 * (plugin.json), which adds the token from secure settings: panels only render `data.series`.
 * Every number comes from the backend, computed by the engines the portal uses.
 */
export class MlopsDataSource extends DataSourceApi<MlopsQuery, MlopsDataSourceOptions> {
  private readonly proxyUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<MlopsDataSourceOptions>) {
    super(instanceSettings);
    this.proxyUrl = `${instanceSettings.url}/mlops`;
    // Annotation queries use the query editor; their frames carry time / title / text / tags.
    this.annotations = {};
  }

  getDefaultQuery(): Partial<MlopsQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(target: MlopsQuery): boolean {
    if (target.hide) {
      return false;
    }
    // Only the KPI overview is about every model.
    return (target.queryType ?? 'kpi') === 'kpi' || !!target.model;
  }

  async query(options: DataQueryRequest<MlopsQuery>): Promise<DataQueryResponse> {
    const targets = options.targets.filter(t => this.filterQuery(t));
    const window = alignedWindow(options.range.from.valueOf(), options.range.to.valueOf());
    // A multi-value model variable (e.g. the overview's annotations) asks once per model.
    const runs = targets.flatMap(target => {
      const models = target.model ? getTemplateSrv().replace(target.model, options.scopedVars, 'csv').split(',').map(m => m.trim()).filter(Boolean) : [];
      return models.length ? models.map(model => ({ target, model })) : [{ target, model: '' }];
    });
    const frames = await Promise.all(runs.map(({ target, model }) => this.run(target, model, options.scopedVars, window, options.intervalMs ?? 0)));
    return { data: frames.flat() };
  }

  private async run(target: MlopsQuery, modelText: string, scopedVars: ScopedVars, window: ReturnType<typeof alignedWindow>, intervalMs: number): Promise<DataFrame[]> {
    const replace = (text?: string) => (text ? getTemplateSrv().replace(text, scopedVars) : '');
    const type = target.queryType ?? 'kpi';
    const version = replace(target.version) || undefined;
    if (type === 'kpi' && !modelText) {
      const overview = await this.get<KpiOverview>(`/kpis${query({ window: `${Math.round(window.ms / MINUTE)}m`, step: stepFor(window.ms, intervalMs, MAX_SERIES_POINTS.kpi) })}`);
      return kpiOverviewFrames(overview, target.refId);
    }
    const { namespace, name } = parseModelRef(modelText);
    const modelPath = `/models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
    const range = { from: window.from, to: window.to };
    switch (type) {
      case 'kpi': {
        const report = await this.get<KpiReport>(`${modelPath}/kpis${query({ ...range, step: stepFor(window.ms, intervalMs, MAX_SERIES_POINTS.kpi), version, segments: replace(target.segment) || undefined })}`);
        return kpiReportFrames(report, target.refId, name);
      }
      case 'performance': {
        // Hourly windows up to two days, daily beyond (the backend keeps 90 of either), ending now.
        const step = window.ms <= 2 * DAY ? '1h' : '1d';
        const windows = Math.min(90, Math.max(1, Math.ceil(window.ms / (step === '1h' ? HOUR : DAY))));
        const report = await this.get<GetEvaluation200Response>(`${modelPath}/evaluation${query({ step, days: String(windows) })}`);
        return performanceFrames(report, target.refId, name);
      }
      case 'drift':
      case 'contract': {
        const segment = replace(target.segment) || undefined;
        const series = await this.get<DriftSeries>(`${modelPath}/drift/series${query({ ...range, step: stepFor(window.ms, intervalMs, MAX_SERIES_POINTS.drift), version, segment })}`);
        if (type === 'contract') {
          return [contractFrame(series, target.refId)];
        }
        const frames = driftFrames(series, target.refId);
        const feature = replace(target.feature);
        if (feature && series.features.some(f => f.feature === feature)) {
          const distribution = await this.get<FeatureDistribution>(`${modelPath}/drift/distribution${query({ ...range, feature, version: series.version ?? undefined, segment })}`);
          frames.push(distributionFrame(distribution, target.refId));
        }
        return frames;
      }
      case 'backtest':
        // The policy's window in daily steps, ending today: the dashboard's range does not apply.
        return [backtestFrame(await this.get<Backtest>(`${modelPath}/drift/backtest`), target.refId)];
      case 'canary': {
        let id = replace(target.rolloutId);
        if (!id) {
          const { items } = await this.get<{ items: Rollout[] }>(`${modelPath}/rollouts`);
          id = items[0]?.id ?? '';
        }
        return id ? canaryFrames(await this.get<RolloutDetail>(`/rollouts/${encodeURIComponent(id)}`), target.refId) : [];
      }
      case 'annotations': {
        const { items } = await this.get<{ items: ModelEvent[] }>(`${modelPath}/events${query(range)}`);
        return [eventsFrame(items, target.refId, `model:${namespace}/${name}`)];
      }
      case 'policy':
        return [policyToFrame(await this.get<ModelPolicyView>(`${modelPath}/policy`), target.refId)];
      default:
        throw new Error(`Unknown query type "${type}"`);
    }
  }

  /**
   * Template variables: `models()` lists the Models the token may read (value namespace/name,
   * text the title); `features(namespace/name)` lists a model's drift features of the last day.
   */
  async metricFindQuery(text: string, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const expression = getTemplateSrv().replace(text, options?.scopedVars).trim();
    if (/^models\(\s*\)$/.test(expression)) {
      const { items } = await this.get<{ items: Array<{ entityRef: string; title: string }> }>('/models');
      return items.map(m => ({ text: m.title, value: m.entityRef.replace(/^model:/, '') }));
    }
    const features = /^features\(\s*([^)]*?)\s*\)$/.exec(expression);
    if (features) {
      const { namespace, name } = parseModelRef(features[1]);
      const series = await this.get<DriftSeries>(`/models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/drift/series?window=24h&step=1d`);
      return series.features.map(f => ({ text: f.feature, value: f.feature }));
    }
    throw new Error(`"${expression}" is not a variable query: use models() or features(namespace/name)`);
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const health = await this.get<HealthResponse>('/health');
      if (health.status !== 'ok') {
        return { status: 'error', message: `ModelRails answers, but its database is ${health.status}` };
      }
      // The token must also be allowed to read models (a health check needs no permission).
      await this.get('/models');
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
