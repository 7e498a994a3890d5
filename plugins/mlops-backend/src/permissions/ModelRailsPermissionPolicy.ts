import { AuthorizeResult, isResourcePermission, PolicyDecision } from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  MODEL_RESOURCE_TYPE,
  mlopsIngestPermission,
  mlopsRegisterPermission,
  mlopsPromotionApprovePermission,
  mlopsPromotionOverridePermission,
  mlopsRolloutActionPermissions,
} from '@modelrails/plugin-mlops-common';
import { createMlopsModelConditionalDecision, mlopsModelConditions } from './rules';

/** Changing what serves production: a model's owners may, and the platform teams for any model. */
const OWNER_CONTROLLED = new Set([mlopsPromotionApprovePermission, ...Object.values(mlopsRolloutActionPermissions)].map(p => p.name));
/** Break-glass promotion despite a failing gate: the platform teams only. */
const PLATFORM_ONLY = new Set([mlopsPromotionOverridePermission.name]);
/**
 * Writing what the evidence is made of (versions, training profiles, telemetry): machines' tokens
 * (CI, serving fleets), and among people the model's owners and the platform teams. A training
 * profile is immutable: a non-owner must not fix another team's drift reference for good.
 */
const MACHINE_WRITTEN = new Set([mlopsRegisterPermission.name, mlopsIngestPermission.name]);

/**
 * The portal's permission policy: everyone signed in may read, request promotions and act on
 * everything outside ModelRails. Registering versions, training profiles and telemetry belong to
 * machines' tokens (each restricted to its one permission by `backend.auth.externalAccess` before
 * this policy is asked), the model's owners (registering) and the platform teams. Approving
 * promotions and controlling rollouts belong to the model's owners (IS_MODEL_OWNER on the user's
 * ownership claims) and the teams named in `permission.modelrails.platformTeams`, who alone may
 * override a failing gate.
 *
 * @public
 */
export class ModelRailsPermissionPolicy implements PermissionPolicy {
  private readonly platformTeams: Set<string>;

  /** `platformTeams`: group refs, e.g. from `permission.modelrails.platformTeams`. */
  constructor(platformTeams: string[]) {
    this.platformTeams = new Set(platformTeams.map(t => t.toLocaleLowerCase('en-US')));
  }

  /** The decision for one permission; `user` is absent for services, whose tokens' restrictions apply first. */
  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const name = request.permission.name;
    const guarded = OWNER_CONTROLLED.has(name) || PLATFORM_ONLY.has(name) || MACHINE_WRITTEN.has(name);
    if (!guarded) return { result: AuthorizeResult.ALLOW };
    // No user: a service. Machines write evidence; they never decide what serves.
    if (!user) return { result: MACHINE_WRITTEN.has(name) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    const claims = user.info.ownershipEntityRefs ?? [];
    if (claims.some(c => this.platformTeams.has(c.toLocaleLowerCase('en-US')))) return { result: AuthorizeResult.ALLOW };
    if (PLATFORM_ONLY.has(name) || !isResourcePermission(request.permission, MODEL_RESOURCE_TYPE)) return { result: AuthorizeResult.DENY };
    return createMlopsModelConditionalDecision(request.permission, mlopsModelConditions.isModelOwner({ claims }));
  }
}
