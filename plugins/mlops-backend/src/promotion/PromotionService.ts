import { AuthService, BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { AuthorizeResult, ResourcePermission } from '@backstage/plugin-permission-common';
import {
  mlopsPromotionApprovePermission,
  mlopsPromotionOverridePermission,
  mlopsPromotionRequestPermission,
  ModelPolicy,
  parseDuration,
  Promotion,
  PromotionStatus,
} from '@modelrails/plugin-mlops-common';
import { compareToChampion, principalRef } from '../registry/RegistryService';
import { RegistryStore } from '../registry/RegistryStore';
import { DatabasePromotionStore } from './DatabasePromotionStore';

type Ref = { namespace: string; name: string };

/** Entity refs as one string each, whatever case or default namespace they were written with. */
export function normalizeRef(ref: string): string {
  return stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'user', defaultNamespace: 'default' })).toLocaleLowerCase('en-US');
}

/**
 * Promotion sign-off. Separation of duties is enforced here, in code, whatever the permission
 * policy says: the requester and the version's creator never decide, and only people decide.
 */
export class PromotionService {
  constructor(
    private readonly store: DatabasePromotionStore,
    private readonly registry: RegistryStore,
    private readonly policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>,
    private readonly permissions: PermissionsService,
    private readonly auth: AuthService,
  ) {}

  /** A permission decision; a permission service that cannot answer means 503, and nothing changes. */
  private async require(credentials: BackstageCredentials, permission: ResourcePermission, resourceRef: string) {
    let result: AuthorizeResult;
    try {
      [{ result }] = await this.permissions.authorize([{ permission, resourceRef }], { credentials });
    } catch (e) {
      throw new ServiceUnavailableError(`The permission service did not answer: ${(e as Error).message}`);
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name} on ${resourceRef}`);
    }
  }

  async request(model: Ref, version: string, body: { environment: string; reason?: string }, credentials: BackstageCredentials) {
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    if (!(await this.policyOf(modelRef))) throw new NotFoundError(`No Model entity ${modelRef}`);
    await this.require(credentials, mlopsPromotionRequestPermission, modelRef);
    return this.store.request({
      modelRef,
      version,
      environment: body.environment,
      requestedBy: principalRef(credentials),
      reason: body.reason,
    });
  }

  list(filter: { status?: PromotionStatus; modelRef?: string }) {
    return this.store.list(filter);
  }

  async get(id: string): Promise<Promotion> {
    const found = await this.store.get(id);
    if (!found) throw new NotFoundError(`No promotion request ${id}`);
    return found;
  }

  async decide(
    id: string,
    outcome: 'approved' | 'rejected',
    body: { reason: string; override?: boolean },
    credentials: BackstageCredentials,
    now = new Date(),
  ): Promise<Promotion> {
    if (!this.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError('Only people approve or reject promotions; service and external tokens cannot');
    }
    if (!body.reason?.trim()) throw new InputError('reason: a decision needs a written reason');
    const promotion = await this.get(id);
    const me = normalizeRef(credentials.principal.userEntityRef);
    if (me === normalizeRef(promotion.requestedBy)) {
      throw new NotAllowedError('You requested this promotion: someone else must decide it');
    }
    const version = await this.registry.getVersion(promotion.modelRef, promotion.version);
    if (!version) throw new NotFoundError(`No version ${promotion.version} of ${promotion.modelRef}`);
    if (me === normalizeRef(version.creator)) {
      throw new NotAllowedError(`You created v${version.version}: someone else must decide its promotion`);
    }
    await this.require(credentials, mlopsPromotionApprovePermission, promotion.modelRef);
    if (promotion.status !== 'pending') {
      throw new ConflictError(`Promotion request ${id} is already ${promotion.status}`);
    }
    if (outcome === 'rejected') {
      return this.store.decide(id, { outcome, by: me, reason: body.reason.trim() }, now);
    }

    if (version.artifact.digest !== promotion.artifactDigest) {
      throw new ConflictError(
        `The artifact of v${version.version} changed since the request (${promotion.artifactDigest} → ${version.artifact.digest}): request the promotion again`,
      );
    }
    let overrideReason: string | undefined;
    if (!version.gates?.passed) {
      const failing = version.gates?.results.filter(r => r.status === 'fail' && !r.advisory).map(r => r.name) ?? ['not evaluated'];
      if (!body.override) {
        throw new ConflictError(`Gates block this promotion (${failing.join(', ')}); approving anyway needs an override with a reason`);
      }
      await this.require(credentials, mlopsPromotionOverridePermission, promotion.modelRef);
      overrideReason = body.reason.trim();
    }
    const policy = await this.policyOf(promotion.modelRef);
    if (!policy) throw new NotFoundError(`No Model entity ${promotion.modelRef}`);
    const versions = await this.registry.listVersions(promotion.modelRef);
    const champion = versions.find(v => v.aliases.includes('champion') && v.version !== version.version);
    return this.store.decide(
      id,
      {
        outcome,
        by: me,
        reason: body.reason.trim(),
        overrideReason,
        evidence: {
          artifactDigest: version.artifact.digest,
          ...(version.gates ? { gates: version.gates } : {}),
          ...(champion ? { champion: champion.version } : {}),
          vsChampion: compareToChampion(version.metrics, champion),
          lineage: { ...(version.training.run ? { run: version.training.run } : {}), datasets: version.training.datasets },
        },
        expiresAt: new Date(now.getTime() + parseDuration(policy.approvals.expiresAfter)),
      },
      now,
    );
  }
}
