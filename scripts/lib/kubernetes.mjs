// A real Kubernetes API server for custom resources, for the tests: Kubernetes' own
// apiextensions-apiserver (the code kube-apiserver serves CRDs with: structural schema validation,
// defaulting, pruning, discovery, served versions, 422 with causes, 409 on a stale resourceVersion)
// on etcd from Debian, with the CRDs each project publishes, at pinned versions, taken from their Go
// modules (nothing of theirs is committed here).
//
//   node scripts/lib/kubernetes.mjs install   build the server and fetch the CRDs into .tools/go
//   node scripts/lib/kubernetes.mjs serve     start etcd + the server with the CRDs; prints one JSON
//                                             line {url, caFile, certFile, keyFile}; runs until killed
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { freePort, log, ROOT, run } from './process.mjs';

const GO_ROOT = join(ROOT, '.tools', 'go');
const SERVER = join(GO_ROOT, 'bin', 'apiextensions-apiserver');
const CRD_INDEX = join(GO_ROOT, 'crds.json');
/** Kubernetes' apiextensions-apiserver, the release matching the client-node the backend uses. */
const APIEXTENSIONS_SERVER = 'k8s.io/apiextensions-apiserver@v0.34.2';
/** The Go its go.mod asks for. */
const MIN_GO = '1.24';

/**
 * The CRDs ModelRails reads and writes, as each project publishes them in its Go module. `kinds`
 * picks documents out of multi-CRD files.
 */
export const CRD_SOURCES = [
  { module: 'istio.io/api@v1.32.0', file: 'kubernetes/customresourcedefinitions.gen.yaml', kinds: ['VirtualService', 'DestinationRule'] },
  { module: 'sigs.k8s.io/gateway-api@v1.6.3', file: 'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml' },
  { module: 'github.com/kserve/kserve@v0.16.0', file: 'config/crd/full/serving.kserve.io_inferenceservices.yaml' },
  { module: 'github.com/argoproj/argo-workflows/v3@v3.7.3', file: 'manifests/base/crds/full/argoproj.io_workflows.yaml' },
  { module: 'github.com/argoproj/argo-workflows/v3@v3.7.3', file: 'manifests/base/crds/full/argoproj.io_workflowtemplates.yaml' },
  { module: 'github.com/argoproj/argo-workflows/v3@v3.7.3', file: 'manifests/base/crds/full/argoproj.io_clusterworkflowtemplates.yaml' },
];

function goEnv() {
  return {
    GOPATH: join(GO_ROOT, 'path'),
    GOMODCACHE: join(GO_ROOT, 'path', 'pkg', 'mod'),
    GOCACHE: join(GO_ROOT, 'cache'),
    GOBIN: join(GO_ROOT, 'bin'),
    // Writable module files, so that deleting .tools works.
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
  };
}

/** Builds the API server and downloads the CRDs' modules, unless both are already here. */
export async function ensureKubernetesTools() {
  const want = JSON.stringify({ server: APIEXTENSIONS_SERVER, crds: CRD_SOURCES });
  const built = () => {
    try {
      return existsSync(SERVER) && JSON.parse(readFileSync(CRD_INDEX, 'utf8')).want === want;
    } catch {
      return false; // absent, or cut short by an interrupted install: built again
    }
  };
  if (built()) return;
  const go = await run('go', ['version'], { quiet: true });
  if (go.code !== 0) throw new Error(`Go ${MIN_GO} or newer is needed to build the Kubernetes test server`);
  const [major, minor] = (/go(\d+)\.(\d+)/.exec(go.output) ?? []).slice(1).map(Number);
  if (!(major > 1 || (major === 1 && minor >= Number(MIN_GO.split('.')[1])))) {
    throw new Error(`${go.output.trim()} is too old: ${APIEXTENSIONS_SERVER} needs Go ${MIN_GO} or newer (Debian 12's golang-go is 1.19)`);
  }
  mkdirSync(GO_ROOT, { recursive: true });
  const started = Date.now();
  log(`building Kubernetes' apiextensions-apiserver (${APIEXTENSIONS_SERVER}) into .tools/go: a few minutes the first time`);
  const install = await run('go', ['install', APIEXTENSIONS_SERVER], { env: goEnv(), cwd: GO_ROOT });
  if (install.code !== 0) throw new Error(`go install ${APIEXTENSIONS_SERVER} failed`);
  const files = [];
  for (const source of CRD_SOURCES) {
    const { code, output } = await run('go', ['mod', 'download', '-json', source.module], { env: goEnv(), cwd: GO_ROOT, quiet: true });
    const dir = code === 0 ? JSON.parse(output).Dir : undefined;
    if (!dir || !existsSync(join(dir, source.file))) throw new Error(`could not fetch ${source.file} of ${source.module}`);
    files.push({ ...source, path: join(dir, source.file) });
  }
  // Parsed once here: the tests read the CRD objects from this file.
  const crds = files.flatMap(({ path, kinds }) =>
    parseAllDocuments(readFileSync(path, 'utf8'))
      .map(doc => doc.toJS({ maxAliasCount: -1 }))
      .filter(crd => crd?.kind === 'CustomResourceDefinition' && (!kinds || kinds.includes(crd.spec.names.kind))),
  );
  // Written whole or not at all: an interrupted install leaves no half file behind.
  writeFileSync(`${CRD_INDEX}.partial`, JSON.stringify({ want, files, crds }));
  renameSync(`${CRD_INDEX}.partial`, CRD_INDEX);
  log(`Kubernetes test server ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Every CRD object to install, as the projects publish them. */
export function publishedCrds() {
  return JSON.parse(readFileSync(CRD_INDEX, 'utf8')).crds;
}

async function openssl(args, cwd) {
  const { code, output } = await run('openssl', args, { cwd, quiet: true });
  if (code !== 0) throw new Error(`openssl ${args[0]} failed: ${output}`);
}

/** A request to the server as the test client (a certificate in system:masters). */
export function request(server, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${server.url}${path}`,
      {
        method,
        cert: readFileSync(server.certFile),
        key: readFileSync(server.keyFile),
        rejectUnauthorized: false,
        headers: body ? { 'Content-Type': 'application/json' } : {},
      },
      res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => {
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text; // /readyz and friends answer plain text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/**
 * Starts etcd and the API server on loopback with the published CRDs installed and established.
 * `crds` replaces them (a test of an older Istio serves fewer versions).
 */
export async function startKubernetes({ crds } = {}) {
  if (!existsSync(SERVER)) throw new Error('the Kubernetes test server is not built: node scripts/lib/kubernetes.mjs install');
  if (!existsSync('/usr/bin/etcd')) throw new Error('etcd is not installed (Debian: apt-get install etcd-server)');
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-kube-'));
  const children = [];
  const stop = async () => {
    for (const child of children.reverse()) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort] = [await freePort(0), await freePort(0)];
    const etcd = spawn('/usr/bin/etcd', [
      '--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`, '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`,
      // The published Argo Workflows CRD is larger than etcd's default 1.5 MiB request.
      '--max-request-bytes', String(16 * 1024 * 1024), '--quota-backend-bytes', String(1024 * 1024 * 1024),
    ], { detached: true, stdio: 'ignore' });
    children.push(etcd);

    // The client authenticates with a certificate in system:masters, which needs no authorizer.
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=modelrails-test-ca'], dir);
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=system:masters/CN=modelrails-tests'], dir);
    await openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2'], dir);
    // The server must start without a kube-apiserver to delegate to: this one points nowhere.
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'clusters: [{name: none, cluster: {server: "http://127.0.0.1:1"}}]',
      'users: [{name: none, user: {username: none, password: none}}]', 'contexts: [{name: none, context: {cluster: none, user: none}}]', 'current-context: none',
    ].join('\n'));
    const port = await freePort(0);
    const server = spawn(SERVER, [
      '--etcd-servers', `http://127.0.0.1:${etcdPort}`, '--secure-port', String(port), '--bind-address', '127.0.0.1',
      '--cert-dir', join(dir, 'serving'), '--client-ca-file', join(dir, 'ca.crt'), '--authentication-skip-lookup',
      '--authentication-kubeconfig', join(dir, 'kubeconfig'), '--authorization-kubeconfig', join(dir, 'kubeconfig'),
      '--kubeconfig', join(dir, 'kubeconfig'), '--enable-priority-and-fairness=false',
      '--disable-admission-plugins', 'NamespaceLifecycle,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy',
    ], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(server);
    let serverLog = '';
    server.stderr.on('data', chunk => (serverLog = (serverLog + chunk).slice(-4000)));
    const handle = { url: `https://127.0.0.1:${port}`, caFile: join(dir, 'serving', 'apiserver.crt'), certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key'), stop };

    const deadline = Date.now() + 90_000;
    for (;;) {
      // Its informer of core Services never syncs: there is no kube-apiserver behind it to list them from.
      const ready = await request(handle, 'GET', '/readyz?exclude=informer-sync').catch(() => undefined);
      if (ready?.status === 200) break;
      if (etcd.exitCode !== null) throw new Error(`etcd exited (${etcd.exitCode}) before the API server was ready`);
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the Kubernetes API server did not become ready: ${serverLog}`);
      await new Promise(resolve => setTimeout(resolve, 300));
    }
    for (const crd of crds ?? publishedCrds()) {
      const created = await request(handle, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      if (created.status !== 201) throw new Error(`installing CRD ${crd.metadata.name}: ${created.status} ${created.body?.message}`);
    }
    for (const crd of crds ?? publishedCrds()) {
      for (;;) {
        const { body } = await request(handle, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
        if (body?.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} was not established`);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    }
    return handle;
  } catch (error) {
    await stop();
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command] = process.argv.slice(2);
  if (command === 'install') {
    ensureKubernetesTools().catch(error => {
      log(error.message);
      process.exit(1);
    });
  } else if (command === 'serve') {
    const crdsFile = process.argv[3];
    startKubernetes({ crds: crdsFile ? JSON.parse(readFileSync(crdsFile, 'utf8')) : undefined }).then(
      server => {
        const { stop, ...where } = server;
        process.stdout.write(`${JSON.stringify(where)}\n`);
        const quit = () => stop().then(() => process.exit(0));
        process.on('SIGTERM', quit);
        process.on('SIGINT', quit);
      },
      error => {
        log(error.message);
        process.exit(1);
      },
    );
  } else {
    log('usage: node scripts/lib/kubernetes.mjs install | serve [crds.json]');
    process.exit(2);
  }
}
