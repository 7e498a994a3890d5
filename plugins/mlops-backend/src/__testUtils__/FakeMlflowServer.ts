import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MlflowModelVersion, MlflowRegisteredModel, MlflowRun } from '../mlflow/MlflowClient';

/**
 * An in-process stand-in for an MLflow tracking server: the REST 2.0 endpoints ModelRails reads,
 * with MLflow's JSON shapes, `max_results` / `page_token` pagination, MLflow's error bodies
 * (`{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": …}` with 404, `INVALID_PARAMETER_VALUE`
 * with 400), bearer-token authentication, and switchable faults.
 */
export class FakeMlflowServer {
  registeredModels: MlflowRegisteredModel[] = [];
  modelVersions: MlflowModelVersion[] = [];
  runs = new Map<string, MlflowRun>();
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  fault?: 'malformed' | 'server-error';
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
      res.end(JSON.stringify(body));
    };
    const error = (status: number, error_code: string, message: string) => send(status, { error_code, message });

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
        if (!body.name || !body.alias || !body.version) {
          error(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name', 'alias' or 'version'");
          return;
        }
        const model = this.registeredModels.find(m => m.name === body.name);
        if (!model) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${body.name} not found`);
          return;
        }
        if (!this.modelVersions.some(v => v.name === body.name && v.version === body.version)) {
          error(404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${body.name}, version=${body.version}) not found`);
          return;
        }
        model.aliases = [...(model.aliases ?? []).filter(a => a.alias !== body.alias), { alias: body.alias, version: body.version }];
        send(200, {});
      });
      return;
    }
    if (req.method !== 'GET') {
      error(405, 'ENDPOINT_NOT_FOUND', 'Method not allowed');
      return;
    }

    const page = <T>(items: T[], field: string) => {
      const max = Number(url.searchParams.get('max_results') ?? 100);
      if (!Number.isInteger(max) || max < 1 || max > 1000) {
        error(400, 'INVALID_PARAMETER_VALUE', `Invalid value ${url.searchParams.get('max_results')} for parameter 'max_results' supplied`);
        return;
      }
      let offset = 0;
      const token = url.searchParams.get('page_token');
      if (token) {
        const decoded = Number(Buffer.from(token, 'base64').toString('utf8').replace('offset:', ''));
        if (!Number.isInteger(decoded) || decoded < 0) {
          error(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
          return;
        }
        offset = decoded;
      }
      const slice = items.slice(offset, offset + max);
      const next = offset + max < items.length ? Buffer.from(`offset:${offset + max}`).toString('base64') : undefined;
      send(200, { [field]: slice, ...(next ? { next_page_token: next } : {}) });
    };

    switch (url.pathname) {
      case '/api/2.0/mlflow/registered-models/search':
        page([...this.registeredModels].sort((a, b) => a.name.localeCompare(b.name)), 'registered_models');
        return;
      case '/api/2.0/mlflow/model-versions/search': {
        const filter = url.searchParams.get('filter') ?? '';
        const match = /^name\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(filter.trim());
        if (filter && !match) {
          error(400, 'INVALID_PARAMETER_VALUE', `Invalid filter '${filter}'`);
          return;
        }
        const name = match?.[1].replace(/\\'/g, "'");
        page(
          this.modelVersions.filter(v => !name || v.name === name).sort((a, b) => Number(b.version) - Number(a.version)),
          'model_versions',
        );
        return;
      }
      case '/api/2.0/mlflow/runs/get': {
        const runId = url.searchParams.get('run_id');
        if (!runId) {
          error(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'");
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
      default:
        error(404, 'ENDPOINT_NOT_FOUND', `No API endpoint ${url.pathname}`);
    }
  }
}
