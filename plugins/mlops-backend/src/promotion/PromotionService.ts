import { AuthService, BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { authorizeOrThrow } from '../permissions/authorize';
import {
  mlopsPromotionApprovePermission,
  mlopsPromotionOverridePermission,
  mlopsPromotionRequestPermission,
  ModelPolicy,
  parseDuration,
  ProductionAt,
  Promotion,
  PromotionStatus,
} from '@modelrails/plugin-mlops-common';
import { compareToChampion, principalRef } from '../registry/RegistryService';
import { GateService } from '../gates/GateService';
import { RegistryStore } from '../registry/RegistryStore';
import { PromotionStore } from './PromotionStore';
import { assertSeparationOfDuties, Decider } from './signOff';

type Ref = { namespace: string; name: string };

/** Starts the rollout of an approved production promotion (the rollout engine). */
export type RolloutStarter = {
  /** ConflictError when the model already has a rollout in progress. */
  assertNoneInProgress(modelRef: string): Promise<void>;
  start(input: { modelRef: string; version: string; champion: string | null; promotionId: string; policy: ModelPolicy; actor: string }): Promise<unknown>;
};

/** Promotion requests and their sign-off, and which version held production when. */
export interface PromotionService {
  request(model: Ref, version: string, body: { environment: string; reason?: string }, credentials: BackstageCredentials): Promise<Promotion>;
  list(filter: { status?: PromotionStatus; modelRef?: string }): Promise<Promotion[]>;
  /** NotFoundError for an unknown id. */
  get(id: string): Promise<Promotion>;
  /** The sign-off rules asked in advance, so the portal can say why a button is off. */
  canDecide(promotion: Promotion, credentials: BackstageCredentials): Promise<{ allowed: boolean; reason?: string }>;
  productionAt(model: Ref, at: Date): Promise<ProductionAt>;
  decide(id: string, outcome: 'approved' | 'rejected', body: { reason: string; override?: boolean }, credentials: BackstageCredentials, now?: Date): Promise<Promotion>;
}

/**
 * Promotion sign-off. Separation of duties is enforced here, in code, whatever the permission
 * policy says: the requester and the version's creator never decide, and only people decide.
 */
export class DefaultPromotionService implements PromotionService {
  constructor(
    private readonly store: PromotionStore,
    private readonly registry: RegistryStore,
    private readonly policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>,
    private readonly permissions: PermissionsService,
    private readonly auth: AuthService,
    /** Moves the MLflow alias too, when MLflow is configured. */
    private readonly moveExternalAlias?: (modelRef: string, alias: string, version: string) => Promise<void>,
    private readonly rollouts?: RolloutStarter,
    /** Runs the gates again when the evidence an approver saw is stale. */
    private readonly gates?: Pick<GateService, 'evaluate' | 'refreshStale' | 'stalenessOf'>,
  ) {}

  private require(credentials: BackstageCredentials, permission: ResourcePermission, resourceRef: string) {
    return authorizeOrThrow(this.permissions, credentials, permission, resourceRef);
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

  /** Who may decide: a person, neither the requester nor the version's creator, holding the approve permission. */
  private async decider(promotion: Promotion, credentials: BackstageCredentials, outcome: 'approved' | 'rejected' = 'approved') {
    const decider: Decider = this.auth.isPrincipal(credentials, 'user') ? { kind: 'user', userEntityRef: credentials.principal.userEntityRef } : { kind: 'machine' };
    // The requester and machines are refused before the version is read.
    assertSeparationOfDuties(decider, promotion);
    const version = await this.registry.getVersion(promotion.modelRef, promotion.version);
    if (!version) throw new NotFoundError(`No version ${promotion.version} of ${promotion.modelRef}`);
    const me = assertSeparationOfDuties(decider, promotion, version);
    await this.require(credentials, mlopsPromotionApprovePermission, promotion.modelRef);
    // A creator the catalog does not know cannot be held to "the creator never approves".
    if (outcome === 'approved' && !version.creatorVerified) {
      await this.require(credentials, mlopsPromotionOverridePermission, promotion.modelRef).catch(error => {
        if (!(error instanceof NotAllowedError)) throw error;
        throw new NotAllowedError(
          `v${version.version}'s creator ${version.creator} is not a User in the catalog: only the platform teams (${mlopsPromotionOverridePermission.name}) may approve it`,
        );
      });
    }
    return { me, version };
  }

  /** The same rules as a decision, asked in advance, so the portal can say why a button is off. */
  async canDecide(promotion: Promotion, credentials: BackstageCredentials): Promise<{ allowed: boolean; reason?: string }> {
    if (promotion.status !== 'pending') return { allowed: false, reason: `This request is ${promotion.status}` };
    try {
      await this.decider(promotion, credentials);
      return { allowed: true };
    } catch (e) {
      if (e instanceof NotAllowedError || e instanceof ServiceUnavailableError) return { allowed: false, reason: e.message };
      throw e;
    }
  }

  /** Which version held the champion (production) alias at `at`, since when, and who approved it. */
  async productionAt(model: Ref, at: Date) {
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    if (!(await this.policyOf(modelRef))) throw new NotFoundError(`No Model entity ${modelRef}`);
    const held = await this.registry.aliasAt(modelRef, 'champion', at);
    if (!held) return { modelRef, at: at.toISOString() };
    const approvals = await this.store.list({ modelRef, status: undefined });
    const approval = approvals
      .filter(p => p.version === held.version && p.environment === 'production' && p.decidedAt && p.decidedBy)
      .filter(p => p.status === 'approved' || p.status === 'expired')
      .filter(p => p.decidedAt! <= held.since)
      .sort((a, b) => b.decidedAt!.localeCompare(a.decidedAt!))[0];
    return {
      modelRef,
      at: at.toISOString(),
      version: held.version,
      since: held.since,
      setBy: held.setBy,
      ...(approval ? { approvedBy: approval.decidedBy, promotion: approval.id, override: !!approval.override } : {}),
    };
  }

  async decide(
    id: string,
    outcome: 'approved' | 'rejected',
    body: { reason: string; override?: boolean },
    credentials: BackstageCredentials,
    now = new Date(),
  ): Promise<Promotion> {
    if (!body.reason?.trim()) throw new InputError('reason: a decision needs a written reason');
    const promotion = await this.get(id);
    const { me, version } = await this.decider(promotion, credentials, outcome);
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
    // The evidence must be judged against the current champion and policy: stale evidence is run
    // again now, and the approver reviews the new results before approving.
    const stale = this.gates ? await this.gates.stalenessOf(promotion.modelRef, version) : undefined;
    if (stale) {
      await this.gates!.evaluate(promotion.modelRef, version.version, 'refresh', 'plugin:mlops:gates');
      throw new ConflictError(`The gate results of v${version.version} were stale (${stale}); they ran again just now: review them and decide again`);
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
    const rollsOut = promotion.environment === 'production' && !!policy.rollout.traffic && !!this.rollouts;
    if (rollsOut) await this.rollouts!.assertNoneInProgress(promotion.modelRef);
    const decided = await this.store.decide(
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
    if (rollsOut) {
      // The rollout moves traffic step by step and hands the champion alias over when it succeeds.
      await this.rollouts!.start({
        modelRef: promotion.modelRef,
        version: version.version,
        champion: champion?.version ?? null,
        promotionId: promotion.id,
        policy,
        actor: me,
      });
    } else if (promotion.environment === 'production') {
      // Without a traffic target there is nothing to roll out: approval hands the champion alias
      // over at once; the previous champion becomes the warm standby.
      if (champion) await this.registry.setAlias(promotion.modelRef, 'standby', champion.version, me);
      await this.registry.setAlias(promotion.modelRef, 'champion', version.version, me);
      await this.moveExternalAlias?.(promotion.modelRef, 'champion', version.version);
      // The other candidates were judged against the previous champion: judge them again now.
      await this.gates?.refreshStale([promotion.modelRef], 'plugin:mlops:gates');
    }
    return decided;
  }
}
