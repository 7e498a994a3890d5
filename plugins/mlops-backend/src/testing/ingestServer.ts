/*
 * The telemetry ingestion path on its own, for the crash test (scripts/faults/ingest-crash.mjs):
 * the same TelemetryService and DatabaseTelemetryStore the backend runs, behind a bare HTTP
 * server, on the PostgreSQL server given in MODELRAILS_FAULT_DATABASE_URL. Answers 200 only after
 * commit, 400 for invalid input, 503 otherwise.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs plugins/mlops-backend/src/testing/ingestServer.ts
 */
import { InputError } from '@backstage/errors';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { TelemetryService } from '../telemetry/TelemetryService';

async function main() {
  const db = knexFactory({ client: 'pg', connection: process.env.MODELRAILS_FAULT_DATABASE_URL, pool: { min: 0, max: 10 } });
  await db.migrate.latest({ directory: resolvePackagePath('@modelrails/plugin-mlops-backend', 'migrations') });
  const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
  const telemetry = new TelemetryService({ store: new DatabaseTelemetryStore(db), policies: async () => policy, rawSampleRate: 0.05 });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', async () => {
      try {
        const result = await telemetry.ingestPredictions(JSON.parse(body));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        const code = error instanceof InputError || error instanceof SyntaxError ? 400 : 503;
        res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
