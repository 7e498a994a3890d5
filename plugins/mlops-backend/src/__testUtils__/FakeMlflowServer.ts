import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MlflowLoggedModel, MlflowModelVersion, MlflowRegisteredModel, MlflowRun } from '../mlflow/MlflowClient';

const SEARCH_REGISTERED_MODELS = /^\/api\/2\.0\/mlflow\/registered-models\/search$/;
const GET_REGISTERED_MODEL = /^\/api\/2\.0\/mlflow\/registered-models\/get$/;
const SEARCH_MODEL_VERSIONS = /^\/api\/2\.0\/mlflow\/model-versions\/search$/;
const GET_RUN = /^\/api\/2\.0\/mlflow\/runs\/get$/;
const GET_LOGGED_MODEL = /^\/api\/2\.0\/mlflow\/logged-models\/[^/]+$/;
const ROUTES = [SEARCH_REGISTERED_MODELS, GET_REGISTERED_MODEL, SEARCH_MODEL_VERSIONS, GET_RUN, GET_LOGGED_MODEL];

/** The int64 fields of MLflow's protobuf messages that ModelRails reads. */
const INT64_FIELDS = new Set([
  'creation_timestamp',
  'last_updated_timestamp',
  'start_time',
  'end_time',
  'timestamp',
  'step',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
]);


/**
 * An in-process stand-in for an MLflow tracking server, kept only for what a real server cannot be
 * made to do: fail (5xx, a malformed body), demand a bearer token, or send int64 fields as strings
 * (protobuf's JSON mapping, as proxies and other implementations do). Everything else is tested
 * against a real `mlflow server` (`realMlflow.ts`), and `FakeMlflowServer.real.test.ts` proves that
 * for the same data this fake answers byte for byte as that server does: `{}` for an empty search,
 * page tokens `base64('{"offset": N}')`, the error bodies with `sqlstate` and `error_class`, the
 * `max_results` limits, HTML for an unknown route.
 */
export class FakeMlflowServer {
  registeredModels: MlflowRegisteredModel[] = [];
  modelVersions: MlflowModelVersion[] = [];
  runs = new Map<string, MlflowRun>();
  loggedModels = new Map<string, MlflowLoggedModel>();
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  fault?: 'malformed' | 'server-error';
  /** Registered models whose version search fails with a 500 (one model broken, the rest fine). */
  readonly brokenModels = new Set<string>();
  /** Runs whose get fails with a 500. */
  readonly brokenRuns = new Set<string>();
  /** Sends every int64 field as a JSON string, as protobuf's JSON mapping does. */
  int64AsStrings = false;
  /** Every request path with its query, for asserting how the client talks. */
  readonly requests: string[] = [];

  private server?: http.Server;

  /** Listens on loopback, on the given port or any free one, and returns the base URL. */
  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve => this.server!.listen(port, '127.0.0.1', resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${bound}`;
  }

  async stop() {
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(this.serialize(body));
    };
    // MLflow's error body: the error code, the message, and (since MLflow 3) the SQL state and class.
    const error = (status: number, error_code: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      const body = { error_code, message, sqlstate: 'KAM00', error_class: error_code === 'RESOURCE_DOES_NOT_EXIST' ? 'RESOURCE_NOT_FOUND' : error_code };
      res.end(JSON.stringify(body));
    };
    const html = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`);
    };
    const missing = (name: string) =>
      error(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);

    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
      error(401, 'UNAUTHENTICATED', 'You are not authenticated. Please provide a valid token.');
      return;
    }
    if (this.fault === 'server-error') {
      error(500, 'INTERNAL_ERROR', 'The tracking server failed');
      return;
    }
    if (this.fault === 'malformed') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"registered_models": [');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/2.0/mlflow/registered-models/alias') {
      let raw = '';
      req.on('data', chunk => (raw += chunk));
      req.on('end', () => {
        let body: { name?: string; alias?: string; version?: string };
        try {
          body = JSON.parse(raw);
        } catch {
          error(400, 'MALFORMED_REQUEST', 'Request body is not JSON');
          return;
        }
        for (const field of ['name', 'alias', 'version'] as const) {
          if (!body[field]) {
            missing(field);
            return;
          }
        }
        const model = this.registeredModels.find(m => m.name === body.name);
        if (!model || !this.modelVersions.some(v => v.name === body.name && v.version === body.version)) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${body.name}, version=${body.version}) not found`);
          return;
        }
        model.aliases = [...(model.aliases ?? []).filter(a => a.alias !== body.alias), { alias: body.alias!, version: body.version! }];
        send(200, {});
      });
      return;
    }
    const route = ROUTES.find(r => r.test(url.pathname));
    if (!route) {
      html(404, 'Not Found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
      return;
    }
    if (req.method !== 'GET') {
      html(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.');
      return;
    }

    /** `limit`: the largest max_results the endpoint takes; `positive`: whether it refuses 0 and below. */
    const page = <T>(items: T[], field: string, limit: number, positive: boolean) => {
      const raw = url.searchParams.get('max_results');
      let max = 100;
      if (raw !== null) max = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(max) || max > limit || (!positive && max < 0)) {
        error(400, 'INVALID_PARAMETER_VALUE', `Invalid value "${raw}" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`);
        return;
      }
      if (positive && max < 1) {
        error(400, 'INVALID_PARAMETER_VALUE', `Invalid value for max_results. It must be a positive integer, but got ${max}`);
        return;
      }
      let offset = 0;
      const token = url.searchParams.get('page_token');
      if (token) {
        let decoded: unknown;
        try {
          decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
        } catch {
          decoded = undefined;
        }
        const at = (decoded as { offset?: unknown } | undefined)?.offset;
        if (typeof at !== 'number' || !Number.isInteger(at)) {
          error(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
          return;
        }
        // MLflow slices from the offset as Python does: a negative one counts from the start.
        offset = Math.max(0, at);
      }
      const slice = items.slice(offset, offset + max);
      // As MLflow does: a next page token whenever anything follows (with max_results=0 too).
      const next = offset + max < items.length ? Buffer.from(JSON.stringify({ offset: offset + max }).replace(':', ': ')).toString('base64') : undefined;
      send(200, { ...(slice.length ? { [field]: slice } : {}), ...(next ? { next_page_token: next } : {}) });
    };

    switch (route) {
      case SEARCH_REGISTERED_MODELS:
        page([...this.registeredModels].sort((a, b) => a.name.localeCompare(b.name)), 'registered_models', 1000, false);
        return;
      case GET_REGISTERED_MODEL: {
        const name = url.searchParams.get('name');
        if (!name) {
          missing('name');
          return;
        }
        const model = this.registeredModels.find(m => m.name === name);
        if (!model) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
          return;
        }
        send(200, { registered_model: model });
        return;
      }
      case SEARCH_MODEL_VERSIONS: {
        const filter = url.searchParams.get('filter') ?? '';
        const match = /^name\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(filter.trim());
        if (filter && !match) {
          error(400, 'INVALID_PARAMETER_VALUE', `Invalid clause(s) in filter string: ${filter}`);
          return;
        }
        const name = match?.[1].replace(/\\'/g, "'");
        if (name && this.brokenModels.has(name)) {
          error(500, 'INTERNAL_ERROR', `The tracking server failed on ${name}`);
          return;
        }
        page(
          this.modelVersions.filter(v => !name || v.name === name).sort((a, b) => Number(b.version) - Number(a.version)),
          'model_versions',
          200_000,
          true,
        );
        return;
      }
      case GET_RUN: {
        const runId = url.searchParams.get('run_id');
        if (!runId) {
          missing('run_id');
          return;
        }
        if (this.brokenRuns.has(runId)) {
          error(500, 'INTERNAL_ERROR', `The tracking server failed on run ${runId}`);
          return;
        }
        const run = this.runs.get(runId);
        if (!run) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
          return;
        }
        send(200, { run });
        return;
      }
      default: {
        const modelId = decodeURIComponent(url.pathname.slice('/api/2.0/mlflow/logged-models/'.length));
        const model = this.loggedModels.get(modelId);
        if (!model) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${modelId}' not found.`);
          return;
        }
        send(200, { model });
      }
    }
  }

  /** JSON as MLflow's server writes it (Python's json.dumps with indent 2), int64s as strings on demand. */
  private serialize(body: unknown): string {
    const int64s = this.int64AsStrings;
    return JSON.stringify(
      body,
      function replacer(key, value) {
        return int64s && typeof value === 'number' && Number.isInteger(value) && INT64_FIELDS.has(key) ? String(value) : value;
      },
      2,
    );
  }
}
