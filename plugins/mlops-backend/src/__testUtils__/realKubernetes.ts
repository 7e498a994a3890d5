import { KubeConfig } from '@kubernetes/client-node';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * A real Kubernetes API server for custom resources (scripts/lib/kubernetes.mjs: Kubernetes' own
 * apiextensions-apiserver on etcd, with Istio's, KServe's, Argo Workflows' and the Gateway API's
 * published CRDs installed). `npm test` starts one for the unit step and passes it in
 * MODELRAILS_TEST_KUBERNETES; a test file run on its own starts its own. No skipping.
 */

const ROOT = resolve(__dirname, '../../../..');

export type RealKubernetes = {
  url: string;
  /** A client configuration: a certificate in system:masters. */
  kubeConfig(): KubeConfig;
  /** A raw request as that client, for setting up objects and reading what the server holds. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
};

type Where = { url: string; caFile: string; certFile: string; keyFile: string };

function connect(where: Where, stop: () => Promise<void>): RealKubernetes {
  const kubeConfig = () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'test', server: where.url, skipTLSVerify: true }],
      users: [{ name: 'test', certFile: where.certFile, keyFile: where.keyFile }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
      currentContext: 'test',
    });
    return config;
  };
  const request = async (method: string, path: string, body?: unknown) => {
    return new Promise<{ status: number; body: any }>((done, fail) => {
      const req = https.request(
        `${where.url}${path}`,
        {
          method,
          cert: readFileSync(where.certFile),
          key: readFileSync(where.keyFile),
          rejectUnauthorized: false,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        },
        res => {
          let text = '';
          res.on('data', chunk => (text += chunk));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // plain text
            }
            done({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', fail);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  };
  return { url: where.url, kubeConfig, request, stop };
}

/**
 * The shared server, or one of this test file's own. `crds` starts a server with other CRDs than
 * the published ones (an older Istio that serves fewer versions).
 */
export async function startRealKubernetes(options: { crds?: object[] } = {}): Promise<RealKubernetes> {
  const given = process.env.MODELRAILS_TEST_KUBERNETES;
  if (given && !options.crds) return connect(JSON.parse(given), async () => {});
  if (!existsSync(join(ROOT, '.tools/go/bin/apiextensions-apiserver'))) {
    throw new Error('The Kubernetes test server is not built: run `node scripts/lib/kubernetes.mjs install` (npm test does)');
  }
  const args = [join(ROOT, 'scripts/lib/kubernetes.mjs'), 'serve'];
  if (options.crds) {
    const file = join(tmpdir(), `modelrails-crds-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify(options.crds));
    args.push(file);
  }
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const where = await new Promise<Where>((done, fail) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const line = out.split('\n').find(l => l.startsWith('{'));
      if (line) done(JSON.parse(line));
    });
    child.on('exit', code => fail(new Error(`the Kubernetes test server exited (${code}) before answering`)));
  });
  return connect(where, async () => {
    child.kill('SIGTERM');
    await new Promise(done => (child.exitCode !== null ? done(undefined) : child.once('exit', done)));
  });
}

/** The published CRDs, as installed in the shared server (for tests that start a changed copy). */
export function publishedCrds(): any[] {
  return JSON.parse(readFileSync(join(ROOT, '.tools/go/crds.json'), 'utf8')).crds;
}

/** A namespace name no other test on the shared server uses (the server does not check namespaces exist). */
export const uniqueNamespace = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;
