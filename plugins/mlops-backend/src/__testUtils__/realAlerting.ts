import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/*
 * Debian's Prometheus and Alertmanager (`npm test` installs both), started on loopback for one test,
 * and the two receivers an on-call team wires them to, served by the test: a PagerDuty Events API v2
 * endpoint and a Slack incoming webhook. The receivers check each request as the real services do
 * (PagerDuty's published OpenAPI schema of /v2/enqueue, Slack's documented webhook errors) and
 * answer with their documented bodies, so a notification the real ones would refuse fails here too.
 */

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const AMTOOL = '/usr/bin/amtool';
const PROMTOOL = '/usr/bin/promtool';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise(done => server.close(done));
  return port;
}

type Daemon = { url: string; log: () => string; stop(): Promise<void> };

async function startDaemon(binary: string, args: string[], cwd: string, port: number): Promise<Daemon> {
  const child: ChildProcess = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${binary} exited (${child.exitCode}): ${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      r => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${binary} not ready in 30 s: ${log}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise(done => child.once('exit', done));
    },
  };
}

function checked(tool: string, args: string[], cwd: string) {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${tool} did not run (npm test installs it from Debian): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
}

/** Alertmanager with the given configuration (checked with amtool first), no clustering. */
export async function startAlertmanager(config: object): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alertmanager-'));
  writeFileSync(path.join(dir, 'alertmanager.yml'), stringify(config));
  checked(AMTOOL, ['check-config', 'alertmanager.yml'], dir);
  const port = await freePort();
  return startDaemon(
    ALERTMANAGER,
    ['--config.file=alertmanager.yml', `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    dir,
    port,
  );
}

/**
 * Prometheus scraping one target every second, evaluating the given rule file every second and
 * sending alerts to Alertmanager. Both files are checked with promtool first.
 */
export async function startPrometheus(options: { rules: string; target: { url: string; metricsPath: string; bearer: string }; alertmanager: string }): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));
  writeFileSync(path.join(dir, 'rules.yaml'), options.rules);
  const target = new URL(options.target.url);
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['rules.yaml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanager).host] }] }] },
      scrape_configs: [
        {
          job_name: 'modelrails',
          metrics_path: options.target.metricsPath,
          authorization: { type: 'Bearer', credentials: options.target.bearer },
          static_configs: [{ targets: [target.host] }],
        },
      ],
    }),
  );
  checked(PROMTOOL, ['check', 'config', 'prometheus.yml'], dir);
  const port = await freePort();
  return startDaemon(
    PROMETHEUS,
    ['--config.file=prometheus.yml', `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s'],
    dir,
    port,
  );
}

export type PagerDutyEvent = { routing_key: string; event_action: 'trigger' | 'acknowledge' | 'resolve'; dedup_key: string; payload?: any; links?: Array<{ href: string; text?: string }>; client?: string; client_url?: string };
export type SlackMessage = { channel?: string; text?: string; attachments?: Array<Record<string, any>>; blocks?: unknown[] };

/** What the PagerDuty Events API v2 refuses (its OpenAPI schema and documented limits), or []. */
export function pagerDutyErrors(body: any): string[] {
  const errors: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['Event object format is unrecognized'];
  if (typeof body.routing_key !== 'string') errors.push("'routing_key' is missing or blank");
  else if (body.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!['trigger', 'acknowledge', 'resolve'].includes(body.event_action)) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (body.event_action !== 'trigger' && typeof body.dedup_key !== 'string') errors.push("'dedup_key' is missing or blank");
  if (typeof body.dedup_key === 'string' && body.dedup_key.length > 255) errors.push("Length of 'dedup_key' is too long (should be at most 255 characters)");
  if (body.event_action === 'trigger') {
    const p = body.payload;
    if (typeof p !== 'object' || p === null) errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || !p.summary) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024) errors.push("Length of 'payload.summary' is too long (should be at most 1024 characters)");
      if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is missing or blank");
      if (!['critical', 'warning', 'error', 'info'].includes(p.severity)) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
      if (p.custom_details !== undefined && (typeof p.custom_details !== 'object' || p.custom_details === null)) errors.push("'payload.custom_details' must be an object");
    }
  }
  for (const link of body.links ?? []) if (typeof link?.href !== 'string' || !/^https?:\/\//.test(link.href)) errors.push("'links.href' must be a URL");
  return errors;
}

/**
 * A pager (PagerDuty Events API v2 at /v2/enqueue) and a chat channel (a Slack incoming webhook at
 * /slack/hook) on loopback, recording what they accepted.
 */
export async function startReceivers() {
  const pages: PagerDutyEvent[] = [];
  const messages: SlackMessage[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', chunk => (raw += chunk));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      if (req.method === 'POST' && req.url === '/v2/enqueue') {
        const errors = body === undefined ? ['JSON parse error'] : pagerDutyErrors(body);
        if (errors.length) {
          refused.push(`pagerduty: ${errors.join('; ')}`);
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }));
          return;
        }
        pages.push(body);
        res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }));
        return;
      }
      if (req.method === 'POST' && req.url === '/slack/hook') {
        // Slack's incoming webhooks answer 400 with a plain-text error code.
        let error: string | undefined;
        if (body === undefined || typeof body !== 'object' || body === null) error = 'invalid_payload';
        else if (!body.text && !body.attachments?.length && !body.blocks?.length) error = 'no_text';
        if (error) {
          refused.push(`slack: ${error}`);
          res.writeHead(400, { 'Content-Type': 'text/plain' }).end(error);
          return;
        }
        messages.push(body);
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no_service');
    });
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    pagerDutyUrl: `${url}/v2/enqueue`,
    slackUrl: `${url}/slack/hook`,
    pages,
    messages,
    refused,
    stop: () => new Promise(done => server.close(done)),
  };
}
