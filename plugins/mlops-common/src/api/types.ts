/*
 * The HTTP contract's types, generated from plugins/mlops-backend/src/schema/openapi.yaml (run
 * `yarn workspace @modelrails/plugin-mlops-backend generate:openapi` after changing it). Nothing
 * here restates a schema: the only refinement is the policy, whose schema is the Model kind's own
 * (zod, in model/policy.ts) rather than a second copy in the OpenAPI file.
 */
import type { ModelPolicyView as GeneratedModelPolicyView } from '../schema/openapi/generated/models';
import { ModelPolicy } from '../model/policy';

export * from '../schema/openapi/generated/models';
export { DefaultApiClient as MlopsApiClient } from '../schema/openapi/generated/apis';
export type * from '../schema/openapi/generated/apis';

/** A Model's policy with defaults resolved, and the same policy in words (GET /models/{ns}/{name}/policy). @public */
export type ModelPolicyView = Omit<GeneratedModelPolicyView, 'policy'> & { policy: ModelPolicy };
