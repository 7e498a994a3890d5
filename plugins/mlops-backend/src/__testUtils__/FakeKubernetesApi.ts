import { KubeConfig } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/*
 * An in-repo stand-in for the Kubernetes API server, kept for what a real one cannot be made to do
 * on cue: fail (5xx, 429, reset connections, lost answers, a concurrent writer's 409) and serve
 * Deployments. Everything else runs against the real API server (`realKubernetes.ts`). Written from
 * the API conventions (https://kubernetes.io/docs/reference/using-api/api-concepts/): namespaced
 * objects under /apis/{group}/{version}/namespaces/{namespace}/{plural}, only the versions the
 * published CRDs serve (404 for others), discovery at /apis, resourceVersion on every write,
 * `Status` bodies for errors, metadata.generateName. With `validateWith`, every object written is
 * first sent to the real API server as a dry run, and refused here exactly as it refuses it.
 */

type Obj = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [key: string]: unknown };

/** `at`: performance.now() when the request had arrived in full (benchmarks time against it). */
export type RecordedRequest = { method: string; path: string; body?: unknown; at: number };

function status(code: number, reason: string, message: string, details: Record<string, unknown> = {}) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** What a real server answers a request with (the real API server's `request` in realKubernetes.ts). */
export type KubernetesValidator = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** The API versions each group serves: as the published CRDs serve them, and Kubernetes for apps. */
export const SERVED_API_VERSIONS: Record<string, string[]> = {
  'networking.istio.io': ['v1', 'v1beta1', 'v1alpha3'],
  'serving.kserve.io': ['v1beta1'],
  'gateway.networking.k8s.io': ['v1', 'v1beta1'],
  'argoproj.io': ['v1alpha1'],
  apps: ['v1'],
};

export class FakeKubernetesApi {
  private server?: http.Server;
  /** Served versions per group; a test of an older Istio removes `v1`. */
  readonly served: Record<string, string[]> = structuredClone(SERVED_API_VERSIONS);
  /** When set, objects are dry-run against a real API server first (its 422 and 404 are answered here). */
  validateWith?: KubernetesValidator;
  private resourceVersion = 1000;
  private readonly objects = new Map<string, Obj>();
  readonly namespaces = new Set<string>(['default']);
  readonly requests: RecordedRequest[] = [];
  /**
   * Faults of the next requests, in order: a status code answers with it before doing anything;
   * `{ after: code }` does the request and then answers with the code (a lost response);
   * `'reset'` closes the connection without an answer.
   */
  readonly faults: Array<number | { after: number } | 'reset'> = [];
  /** While true, every connection is reset: the API server is unreachable. */
  down = false;
  /** The next this-many PUTs find the object changed by another writer just before (a real 409). */
  interference = 0;
  token = 'fake-kubernetes-token';
  url = '';

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  /** A client configuration that talks to this server with its token (after start()). */
  kubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: this.token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return config;
  }

  async stop() {
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  list(group: string, plural: string, namespace: string): Obj[] {
    const prefix = `${group}/${plural}/${namespace}/`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  }

  put(group: string, plural: string, namespace: string, obj: Obj) {
    this.objects.set(`${group}/${plural}/${namespace}/${obj.metadata.name}`, this.stamp(obj, namespace));
  }

  private stamp(obj: Obj, namespace: string): Obj {
    this.resourceVersion++;
    return {
      ...obj,
      metadata: {
        uid: obj.metadata.uid ?? `uid-${this.resourceVersion}`,
        creationTimestamp: obj.metadata.creationTimestamp ?? new Date().toISOString(),
        ...obj.metadata,
        namespace,
        resourceVersion: String(this.resourceVersion),
      },
    };
  }

  private send(res: http.ServerResponse, code: number, body: unknown) {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        this.send(res, 400, status(400, 'BadRequest', 'the body is not valid JSON'));
        return;
      }
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body, at: performance.now() });
      if (this.down) {
        req.socket.destroy();
        return;
      }
      const fault = this.faults.shift();
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (typeof fault === 'number') {
        this.send(res, fault, status(fault, fault === 429 ? 'TooManyRequests' : 'InternalError', `injected fault ${fault}`));
        return;
      }
      if (fault) {
        // Do the request, then lose its answer.
        void this.answer(req, url, body, { writeHead: () => undefined, end: () => undefined } as any).then(() =>
          this.send(res, fault.after, status(fault.after, 'InternalError', `injected fault ${fault.after} after the request was carried out`)),
        );
        return;
      }
      void this.answer(req, url, body, res);
    });
  }

  /** `GET /apis/{group}`: the versions a group serves, as a real server's discovery answers. */
  private discovery(name: string) {
    const versions = this.served[name] ?? [];
    if (!versions.length) return undefined;
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name,
      versions: versions.map(version => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    };
  }

  /** The real server's refusal of this write as a dry run, or undefined when it would accept it. */
  private async refusal(group: string, version: string, namespace: string, plural: string, body: any) {
    if (!this.validateWith || group === 'apps' || !body || typeof body !== 'object') return undefined;
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = body.metadata ?? {};
    const answer = await this.validateWith('POST', `/apis/${group}/${version}/namespaces/${namespace}/${plural}?dryRun=All`, { ...body, metadata });
    // AlreadyExists: another test holds that name on the shared server; the object itself was fine.
    return answer.status >= 400 && answer.status !== 409 ? answer : undefined;
  }

  private async answer(req: http.IncomingMessage, url: URL, body: any, res: http.ServerResponse) {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const discovered = /^\/apis\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && discovered) {
      const found = this.discovery(discovered);
      if (found) this.send(res, 200, found);
      else this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const m = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || !this.served[m[1]]?.includes(m[2])) {
      this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const [, group, version, namespace, plural, name] = m;
    if (req.method === 'POST' || req.method === 'PUT') {
      const refused = await this.refusal(group, version, namespace, plural, body);
      if (refused) {
        this.send(res, refused.status, refused.body);
        return;
      }
    }
    if (!this.namespaces.has(namespace)) {
      this.send(res, 404, status(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }));
      return;
    }
    const key = (n: string) => `${group}/${plural}/${namespace}/${n}`;
    const notFound = (n: string) => status(404, 'NotFound', `${plural}.${group} "${n}" not found`, { name: n, group, kind: plural });
    const method = req.method ?? 'GET';
    if (method === 'GET' && !name) {
      this.send(res, 200, { apiVersion: `${group}/${version}`, kind: 'List', metadata: { resourceVersion: String(this.resourceVersion) }, items: this.list(group, plural, namespace) });
    } else if (method === 'GET') {
      const obj = this.objects.get(key(name));
      if (obj) this.send(res, 200, obj);
      else this.send(res, 404, notFound(name));
    } else if (method === 'POST' && !name) {
      if (!body?.metadata || (!body.metadata.name && !body.metadata.generateName)) {
        this.send(res, 422, status(422, 'Invalid', `${plural}.${group} is invalid: metadata.name: Required value: name or generateName is required`));
        return;
      }
      const objName: string = body.metadata.name ?? `${body.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
      if (this.objects.has(key(objName))) {
        this.send(res, 409, status(409, 'AlreadyExists', `${plural}.${group} "${objName}" already exists`, { name: objName, group, kind: plural }));
        return;
      }
      const stored = this.stamp({ ...body, metadata: { ...body.metadata, name: objName } }, namespace);
      this.objects.set(key(objName), stored);
      this.send(res, 201, stored);
    } else if (method === 'PUT' && name) {
      if (this.interference > 0 && this.objects.has(key(name))) {
        this.interference--;
        const other = this.objects.get(key(name))!;
        const annotations = { ...(other.metadata.annotations ?? {}), 'example.com/other-writer': String(this.resourceVersion) };
        this.objects.set(key(name), this.stamp({ ...other, metadata: { ...other.metadata, annotations } }, namespace));
      }
      const existing = this.objects.get(key(name));
      if (!existing) {
        this.send(res, 404, notFound(name));
        return;
      }
      if (body?.metadata?.resourceVersion !== existing.metadata.resourceVersion) {
        this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural}.${group} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group, kind: plural }));
        return;
      }
      const stored = this.stamp({ ...body, metadata: { ...body.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp } }, namespace);
      this.objects.set(key(name), stored);
      this.send(res, 200, stored);
    } else if (method === 'DELETE' && name) {
      const existing = this.objects.get(key(name));
      if (!existing) {
        this.send(res, 404, notFound(name));
        return;
      }
      this.objects.delete(key(name));
      this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group, kind: plural, uid: existing.metadata.uid } });
    } else {
      this.send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    }
  }

  /** The stored object, as the API server holds it now (for tests' invariants). */
  get(group: string, plural: string, namespace: string, name: string): Obj | undefined {
    return this.objects.get(`${group}/${plural}/${namespace}/${name}`);
  }
}
