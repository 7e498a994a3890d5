// Small process helpers shared by the repository's scripts.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * V8 flags the backend runs with. Larger young-generation semi-spaces: ingestion parses batches of
 * thousands of small objects that die young, and with the default 16 MB the scavenger runs several
 * times per batch (≈ 8 % of SQLite ingestion throughput measured in bench/ingest.ts).
 */
export const BACKEND_NODE_OPTIONS = '--max-semi-space-size=64';

/** NODE_OPTIONS with the backend's flags added to whatever the caller already set. */
export function backendNodeOptions(existing = process.env.NODE_OPTIONS) {
  return [existing, BACKEND_NODE_OPTIONS].filter(Boolean).join(' ');
}

export function log(message) {
  process.stderr.write(`\x1b[1m[modelrails]\x1b[0m ${message}\n`);
}

/** Runs a command, streaming its output unless quiet, and resolves with its exit code and output. */
export function run(cmd, args, options = {}) {
  return new Promise(resolve => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const forward = stream => chunk => {
      output += chunk;
      if (!options.quiet) stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('close', code => resolve({ code: code ?? 1, output }));
    child.on('error', error => resolve({ code: 1, output: String(error) }));
  });
}

/** The preferred port if it is free on loopback, else any free one. */
export async function freePort(preferred) {
  const tryPort = port =>
    new Promise(resolve => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: got } = server.address();
        server.close(() => resolve(got));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0));
}
