import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DefaultModelPolicyService } from './ModelPolicyService';
import { catalogPolicyLookup } from './PolicyLookup';

export type { ModelPolicyService, ModelSummary } from './ModelPolicyService';
export { readModelEntity, catalogCredentials } from './ModelPolicyService';
export type { PolicyLookup } from './PolicyLookup';

/** Models and their resolved policies: as a caller may read them, and on the plugin's own authority. */
export function createPolicies(catalog: CatalogService, auth: AuthService, logger?: LoggerService) {
  const service = new DefaultModelPolicyService(catalog, auth);
  return { service, lookup: catalogPolicyLookup(catalog, auth, Date.now, logger) };
}
