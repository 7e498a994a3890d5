import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult, isResourcePermission, PolicyDecision } from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { createMlopsModelConditionalDecision, mlopsModelConditions } from '@modelrails/plugin-mlops-backend';
import {
  MODEL_RESOURCE_TYPE,
  mlopsPromotionApprovePermission,
  mlopsPromotionOverridePermission,
  mlopsRolloutAbortPermission,
  mlopsRolloutPausePermission,
  mlopsRolloutPromotePermission,
  mlopsRolloutResumePermission,
  mlopsRolloutRollbackPermission,
} from '@modelrails/plugin-mlops-common';

/** Changing what serves production: a model's owners may, and the platform teams for any model. */
const OWNER_CONTROLLED = new Set(
  [
    mlopsPromotionApprovePermission,
    mlopsRolloutPausePermission,
    mlopsRolloutResumePermission,
    mlopsRolloutPromotePermission,
    mlopsRolloutAbortPermission,
    mlopsRolloutRollbackPermission,
  ].map(p => p.name),
);
/** Break-glass promotion despite a failing gate: the platform teams only. */
const PLATFORM_ONLY = new Set([mlopsPromotionOverridePermission.name]);

/**
 * The portal's permission policy: everyone signed in may read, request promotions and act on
 * everything outside ModelRails; approving promotions and controlling rollouts belong to the
 * model's owners (IS_MODEL_OWNER on the user's ownership claims) and the teams named in
 * `permission.modelrails.platformTeams`, who alone may override a failing gate. Machines' tokens are
 * restricted by `backend.auth.externalAccess` before this policy is asked.
 */
export class ModelRailsPermissionPolicy implements PermissionPolicy {
  private readonly platformTeams: Set<string>;

  constructor(platformTeams: string[]) {
    this.platformTeams = new Set(platformTeams.map(t => t.toLocaleLowerCase('en-US')));
  }

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const name = request.permission.name;
    if (!OWNER_CONTROLLED.has(name) && !PLATFORM_ONLY.has(name)) return { result: AuthorizeResult.ALLOW };
    const claims = user?.info.ownershipEntityRefs ?? [];
    if (claims.some(c => this.platformTeams.has(c.toLocaleLowerCase('en-US')))) return { result: AuthorizeResult.ALLOW };
    if (PLATFORM_ONLY.has(name) || !user || !isResourcePermission(request.permission, MODEL_RESOURCE_TYPE)) return { result: AuthorizeResult.DENY };
    return createMlopsModelConditionalDecision(request.permission, mlopsModelConditions.isModelOwner({ claims }));
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'modelrails-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new ModelRailsPermissionPolicy(config.getOptionalStringArray('permission.modelrails.platformTeams') ?? []));
      },
    });
  },
});
