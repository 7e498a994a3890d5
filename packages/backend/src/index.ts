/*
 * The ModelRails portal backend: Backstage's core plugins plus the ModelRails backend plugin and
 * the catalog module that adds the Model kind.
 */

import { createBackend } from '@backstage/backend-defaults';
import { mlopsFileUrlReaderServiceFactory, mlopsModelCardUrlReaderServiceFactory } from '@modelrails/plugin-mlops-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the embedded demo; configure a real provider for production
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// the demo's catalog users, to see what an owner may do and what someone else may not
backend.add(import('./modules/demoUsersAuth'));

// catalog, with the Model kind
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@modelrails/plugin-catalog-backend-module-mlops'));
// The AI kinds other tooling registers beside Models (catalog/ai-assets.yaml): Red Hat Developer
// Hub's AiModelServerAPI and Backstage's AiResource.
backend.add(import('@red-hat-developer-hub/backstage-plugin-catalog-backend-module-ai-model-server'));
backend.add(import('@backstage/plugin-catalog-backend-module-ai-model'));

// Software Templates ("New ML model", catalog/templates) and TechDocs. The demo publishes a
// template's repository into a local folder (modules/demoRepositories.ts); a real portal adds
// its git host's publish module instead.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
backend.add(import('./modules/demoRepositories'));
backend.add(import('@backstage/plugin-techdocs-backend'));

// permissions: owners and the platform teams control what serves production (modules/permissionPolicy.ts)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// search (in-memory engine on SQLite, PostgreSQL engine when configured) over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// URL readers: local files beside the catalog (runbooks, the demo's template-created repositories)
// and every Model's model card, which TechDocs reads from ModelRails (here or in its own deployment).
backend.add(mlopsFileUrlReaderServiceFactory);
backend.add(mlopsModelCardUrlReaderServiceFactory);

// ModelRails itself. With MODELRAILS_PORTAL_ONLY=1 the portal leaves ModelRails to its own deployment
// (packages/backend-mlops), which `discovery.endpoints` points the portal and its frontend at
// (README: "Its own deployment").
if (process.env.MODELRAILS_PORTAL_ONLY !== '1') {
  backend.add(import('@modelrails/plugin-mlops-backend'));
  // The embedded demo (seeded history, simulated traffic, two canaries) runs when mlops.demo.enabled.
  backend.add(import('@modelrails/plugin-mlops-backend/demo'));
}

backend.start();
