/*
 * A client for an MLflow tracking server's REST API (2.0 endpoints), only the parts ModelRails
 * reads: registered models, model versions, runs, MLflow 3 logged models. Pages are followed through
 * `page_token`.
 *
 * The types say what the wire may carry, not what MLflow's own server happens to send: protobuf's
 * JSON mapping writes int64 fields (every timestamp) as strings, and proxies and other servers do.
 */

export type MlflowTag = { key: string; value: string };
/** An int64 field: a number from MLflow's own server, a string through protobuf's JSON mapping. */
export type MlflowInt64 = number | string;

/** Milliseconds of an int64 timestamp field, or undefined when absent or not a whole number. */
export function int64(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** The logged model a version was registered from (MLflow 3): its `model_id`, or a `models:/m-…` source. */
export function loggedModelIdOf(version: Pick<MlflowModelVersion, 'model_id' | 'source'>): string | undefined {
  if (typeof version.model_id === 'string' && version.model_id) return version.model_id;
  const match = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(version.source ?? '');
  return match?.[1];
}

export type MlflowRegisteredModel = {
  name: string;
  creation_timestamp?: MlflowInt64;
  last_updated_timestamp?: MlflowInt64;
  description?: string;
  tags?: MlflowTag[];
  aliases?: Array<{ alias: string; version: string }>;
  latest_versions?: MlflowModelVersion[];
};

export type MlflowModelVersion = {
  name: string;
  version: string;
  creation_timestamp?: MlflowInt64;
  last_updated_timestamp?: MlflowInt64;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  status?: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  tags?: MlflowTag[];
  aliases?: string[];
  /** MLflow 3: the logged model this version was registered from. */
  model_id?: string;
};

export type MlflowMetric = { key: string; value: number | string; timestamp?: MlflowInt64; step?: MlflowInt64 };

/** An MLflow 3 logged model (`/api/2.0/mlflow/logged-models/{model_id}`). */
export type MlflowLoggedModel = {
  info: {
    model_id: string;
    experiment_id?: string;
    name?: string;
    artifact_uri?: string;
    status?: string;
    source_run_id?: string;
    creation_timestamp_ms?: MlflowInt64;
    tags?: MlflowTag[];
  };
  data?: {
    params?: Array<{ key: string; value: string }>;
    metrics?: Array<MlflowMetric & { model_id?: string; run_id?: string }>;
  };
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
    start_time?: MlflowInt64;
    end_time?: MlflowInt64;
    artifact_uri?: string;
    lifecycle_stage?: string;
  };
  data: {
    metrics?: MlflowMetric[];
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

  /** MLflow cannot be reached or refuses ModelRails as a whole: no point trying the next model. */
  get fatal(): boolean {
    return this.unreachable || this.status === 401 || this.status === 403;
  }

  unreachable = false;
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
    return this.absentOn404(async () => {
      const body = await this.get<{ run?: MlflowRun }>('/api/2.0/mlflow/runs/get', { run_id: runId });
      if (!body.run?.info?.run_id) {
        throw new MlflowError(`runs/get for ${runId} returned no run`);
      }
      return body.run;
    });
  }

  /** One registered model, or undefined when MLflow says it does not exist. */
  async registeredModel(name: string): Promise<MlflowRegisteredModel | undefined> {
    return this.absentOn404(async () => {
      const body = await this.get<{ registered_model?: MlflowRegisteredModel }>('/api/2.0/mlflow/registered-models/get', { name });
      if (!body.registered_model?.name) throw new MlflowError(`registered-models/get for ${name} returned no registered model`);
      return body.registered_model;
    });
  }

  /** An MLflow 3 logged model, or undefined when it does not exist (or the server predates MLflow 3). */
  async loggedModel(modelId: string): Promise<MlflowLoggedModel | undefined> {
    return this.absentOn404(async () => {
      const body = await this.get<{ model?: MlflowLoggedModel }>(`/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`, {});
      if (!body.model?.info?.model_id) throw new MlflowError(`logged-models/${modelId} returned no model`);
      return body.model;
    }, true);
  }

  /** `anyNotFound`: a 404 of any kind (a server before MLflow 3 answers an unknown route with HTML). */
  private async absentOn404<T>(fn: () => Promise<T>, anyNotFound = false): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof MlflowError && (e.errorCode === 'RESOURCE_DOES_NOT_EXIST' || (anyNotFound && e.status === 404))) return undefined;
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
      // A slow answer is that request's problem (one huge run); a refused connection is everyone's.
      const timedOut = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
      const error = new MlflowError(timedOut ? `MLflow at ${this.baseUrl} did not answer ${path} in time` : `MLflow at ${this.baseUrl} is unreachable: ${(e as Error).message}`);
      error.unreachable = !timedOut;
      throw error;
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
