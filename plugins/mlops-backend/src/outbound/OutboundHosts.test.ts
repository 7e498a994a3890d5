import { mockServices } from '@backstage/backend-test-utils';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebhookCaller } from '../retraining/RetrainActions';
import { OutboundHosts } from './OutboundHosts';

const request = { id: 't1', modelRef: 'model:default/a', reason: 'drift' as const, severity: 'critical' as const, approvalBeforeCanary: true, details: {} };

describe('OutboundHosts', () => {
  const hosts = new OutboundHosts(['ci.example.com', '*.hooks.example.com', 'build.example.com:8443']);

  it.each([
    ['https://ci.example.com/retrain', true],
    ['http://CI.example.com:80/retrain', true],
    ['https://a.hooks.example.com/x', true],
    ['https://a.b.hooks.example.com/x', true],
    ['https://hooks.example.com/x', false],
    ['https://build.example.com:8443/x', true],
    ['https://build.example.com/x', false],
    ['https://ci.example.com.evil.test/x', false],
    ['https://evilci.example.com/x', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['http://127.0.0.1:7007/api/catalog', false],
    ['http://[::1]/x', false],
    ['https://user@ci.example.com/x', true],
  ])('%s allowed: %s', (url, allowed) => {
    const outcome = (() => {
      try {
        return hosts.check(url, 'retraining webhook').href;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const refusal = /^retraining webhook: host .* is not in mlops\.outbound\.allowedHosts$/;
    expect([outcome === new URL(url).href, refusal.test(outcome)]).toEqual([allowed, !allowed]);
  });

  it('calls http and https only', () => {
    expect(() => hosts.check('file:///etc/passwd', 'retraining webhook')).toThrow('retraining webhook: only http and https URLs are called, not file:');
    expect(() => hosts.check('ftp://ci.example.com/x', 'retraining webhook')).toThrow(/only http and https/);
    expect(() => hosts.check('not a url', 'retraining webhook')).toThrow(/is not a URL/);
  });

  it('allows the hosts of the URLs the operator configured, and nothing when none is', () => {
    const configured = OutboundHosts.fromConfig(
      mockServices.rootConfig({ data: { mlops: { outbound: { allowedHosts: ['ci.example.com'] }, mlflow: { baseUrl: 'https://mlflow.example.com:5000' }, kubernetes: { url: 'https://k8s.example.com' } } } }),
    );
    expect(() => configured.check('https://mlflow.example.com:5000/x', 'w')).not.toThrow();
    expect(() => configured.check('https://k8s.example.com/x', 'w')).not.toThrow();
    expect(() => configured.check('https://ci.example.com/x', 'w')).not.toThrow();
    expect(() => configured.check('https://mlflow.example.com/x', 'w')).toThrow(/not in mlops.outbound.allowedHosts/);
    const none = OutboundHosts.fromConfig(mockServices.rootConfig({ data: {} }));
    expect(() => none.check('https://ci.example.com/x', 'w')).toThrow(/not in mlops.outbound.allowedHosts/);
  });
});

describe('WebhookCaller', () => {
  let server: Server;
  let port: number;
  const calls: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      calls.push(req.url!);
      if (req.url === '/redirect') {
        res.writeHead(307, { Location: 'http://169.254.169.254/latest/meta-data' }).end();
      } else {
        res.writeHead(202).end();
      }
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));
  beforeEach(() => {
    calls.length = 0;
  });

  it('refuses a host not allowed without calling it, saying what to configure', async () => {
    const caller = new WebhookCaller(new OutboundHosts(['ci.example.com']), 1);
    await expect(caller.submit(request, { kind: 'webhook', url: `http://127.0.0.1:${port}/retrain` })).rejects.toThrow(
      `retraining webhook: host 127.0.0.1:${port} is not in mlops.outbound.allowedHosts`,
    );
    expect(calls).toEqual([]);
  });

  it('calls an allowed host and never follows a redirect elsewhere', async () => {
    const caller = new WebhookCaller(new OutboundHosts([`127.0.0.1:${port}`]), 1);
    await expect(caller.submit(request, { kind: 'webhook', url: `http://127.0.0.1:${port}/retrain` })).resolves.toMatchObject({ status: 202 });
    await expect(caller.submit(request, { kind: 'webhook', url: `http://127.0.0.1:${port}/redirect` })).rejects.toThrow('answered 307 (a redirect: not followed)');
    expect(calls).toEqual(['/retrain', '/redirect']);
  });
});
