/*
 * ModelRails' own backend deployment: only the ModelRails backend plugin (ingestion, drift, gates,
 * promotions, rollouts with their Kubernetes write access, retraining), so a company can run and
 * scale it apart from its portal. It reaches the portal's catalog, permission, auth and
 * notifications plugins through Backstage's discovery configuration (`discovery.endpoints`), and
 * the portal reaches it the same way (README: "Its own deployment").
 */

import { createBackend } from '@backstage/backend-defaults';
import { mlopsFileUrlReaderServiceFactory, mlopsStartupTurnsDatabaseServiceFactory } from '@modelrails/plugin-mlops-backend';

const backend = createBackend();

backend.add(import('@modelrails/plugin-mlops-backend'));
// Runbooks beside the catalog's local files (the demo's); GitHub and the like need no reader of ours.
backend.add(mlopsFileUrlReaderServiceFactory);
// The embedded demo (seeded history, simulated traffic, two canaries) runs when mlops.demo.enabled.
backend.add(import('@modelrails/plugin-mlops-backend/demo'));

// Replicas started together on one PostgreSQL take turns until each has started (Backstage's own
// stores migrate without a guard against each other).
backend.add(mlopsStartupTurnsDatabaseServiceFactory);

// A replica that cannot start exits, so its supervisor restarts it, instead of answering "not ready" forever.
backend.start().catch(error => {
  console.error(error);
  process.exit(1);
});
