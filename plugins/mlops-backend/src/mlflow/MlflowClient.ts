/*
 * A client for an MLflow tracking server's REST API (2.0 endpoints), only the parts ModelRails
 * reads: registered models, model versions, runs. Pages are followed through `page_token`.
 */

export type MlflowTag = { key: string; value: string };

export type MlflowRegisteredModel = {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  tags?: MlflowTag[];
  aliases?: Array<{ alias: string; version: string }>;
};

export type MlflowModelVersion = {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  status?: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  tags?: MlflowTag[];
  aliases?: string[];
};

export type MlflowDataset = {
  name: string;
  digest: string;
  source_type?: string;
  source?: string;
  schema?: string;
  profile?: string;
};

export type MlflowRun = {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    user_id?: string;
    status?: string;
    start_time?: number;
    end_time?: number;
    artifact_uri?: string;
    lifecycle_stage?: string;
  };
  data: {
    metrics?: Array<{ key: string; value: number; timestamp?: number; step?: number }>;
    params?: Array<{ key: string; value: string }>;
    tags?: MlflowTag[];
  };
  inputs?: {
    dataset_inputs?: Array<{ tags?: MlflowTag[]; dataset: MlflowDataset }>;
  };
};

/** An answer from MLflow that is not what was asked for: an HTTP error, or a body we cannot read. */
export class MlflowError extends Error {
  readonly name = 'MlflowError';
  constructor(
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

export type MlflowClientOptions = {
  baseUrl: string;
  /** Bearer token (Databricks, or a proxy in front of MLflow). */
  token?: string;
  /** Basic auth, as MLflow's own authentication (`mlflow server --app-name basic-auth`) takes it. */
  username?: string;
  password?: string;
  pageSize?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

export class MlflowClient {
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: MlflowClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? 100;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async *registeredModels(): AsyncGenerator<MlflowRegisteredModel> {
    yield* this.paginate<MlflowRegisteredModel>('/api/2.0/mlflow/registered-models/search', {}, 'registered_models');
  }

  async *modelVersions(name: string): AsyncGenerator<MlflowModelVersion> {
    const filter = `name='${name.replace(/'/g, "\\'")}'`;
    yield* this.paginate<MlflowModelVersion>('/api/2.0/mlflow/model-versions/search', { filter }, 'model_versions');
  }

  /** The run, or undefined when MLflow says it does not exist (deleted runs). */
  async run(runId: string): Promise<MlflowRun | undefined> {
    try {
      const body = await this.get<{ run?: MlflowRun }>('/api/2.0/mlflow/runs/get', { run_id: runId });
      if (!body.run?.info?.run_id) {
        throw new MlflowError(`runs/get for ${runId} returned no run`);
      }
      return body.run;
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
        return undefined;
      }
      throw e;
    }
  }

  /** Points a registered model's alias at a version (MLflow ≥ 2.3). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.request('POST', '/api/2.0/mlflow/registered-models/alias', {}, { name, alias, version });
  }

  private async *paginate<T>(path: string, query: Record<string, string>, field: string): AsyncGenerator<T> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const body = await this.get<Record<string, unknown>>(path, {
        ...query,
        max_results: String(this.pageSize),
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      const items = body[field] ?? [];
      if (!Array.isArray(items)) {
        throw new MlflowError(`${path} returned a malformed "${field}"`);
      }
      yield* items as T[];
      pageToken = typeof body.next_page_token === 'string' && body.next_page_token ? body.next_page_token : undefined;
      if (pageToken && seen.has(pageToken)) {
        throw new MlflowError(`${path} returned the same page token twice`);
      }
      if (pageToken) seen.add(pageToken);
    } while (pageToken);
  }

  private get<T>(path: string, query: Record<string, string>): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, query: Record<string, string>, payload?: unknown): Promise<T> {
    const search = new URLSearchParams(query).toString();
    const url = `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
    } else if (this.options.username) {
      headers.Authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new MlflowError(`MLflow at ${this.baseUrl} is unreachable: ${(e as Error).message}`);
    }
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      if (!response.ok) {
        throw new MlflowError(`MLflow answered ${response.status} to ${path}: ${text.slice(0, 200)}`, response.status);
      }
      throw new MlflowError(`MLflow answered ${path} with a body that is not JSON`, response.status);
    }
    if (!response.ok) {
      throw new MlflowError(
        `MLflow answered ${response.status} to ${path}: ${body?.error_code ?? ''} ${body?.message ?? ''}`.trim(),
        response.status,
        body?.error_code,
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new MlflowError(`MLflow answered ${path} with a body that is not an object`, response.status);
    }
    return body as T;
  }
}
