import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient, storeMigrations } from '../database/migrations';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Promotion, PromotionEvidence, PromotionStatus } from '@modelrails/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { AuditLog } from '../database/ModelRailsStore';
import { Decision, NewPromotionRequest, PromotionStore } from './PromotionStore';

type Row = {
  id: string;
  model_ref: string;
  model_version_id: string;
  version: string;
  environment: string;
  status: PromotionStatus;
  requested_by: string;
  requested_at: Date | string | number;
  request_reason: string | null;
  artifact_digest: string;
  decided_by: string | null;
  decided_at: Date | string | number | null;
  decision_reason: string | null;
  override_reason: string | null;
  evidence: string | null;
  expires_at: Date | string | number | null;
};

const iso = (v: Date | string | number) => new Date(v).toISOString();

function toPromotion(r: Row): Promotion {
  return {
    id: r.id,
    modelRef: r.model_ref,
    version: r.version,
    environment: r.environment,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: iso(r.requested_at),
    ...(r.request_reason ? { requestReason: r.request_reason } : {}),
    artifactDigest: r.artifact_digest,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at !== null ? { decidedAt: iso(r.decided_at) } : {}),
    ...(r.decision_reason ? { decisionReason: r.decision_reason } : {}),
    ...(r.override_reason ? { override: { reason: r.override_reason } } : {}),
    ...(r.evidence ? { evidence: JSON.parse(r.evidence) as PromotionEvidence } : {}),
    ...(r.expires_at !== null ? { expiresAt: iso(r.expires_at) } : {}),
  };
}

/**
 * Promotion requests. Each state change and its audit row commit together; a request gets
 * exactly one terminal decision, however many arrive at once.
 */
export class DatabasePromotionStore implements PromotionStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('promotion');

  static async create(options: { database: DatabaseService; audit: AuditLog }): Promise<DatabasePromotionStore> {
    return new DatabasePromotionStore(await migratedClient(options.database, [DatabasePromotionStore.migrations]), options.audit);
  }

  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
  ) {}

  async request(input: NewPromotionRequest): Promise<Promotion> {
    const now = input.now ?? new Date();
    const id = randomUUID();
    await this.db.transaction(async tx => {
      const version = await tx('mlops_model_versions').where({ model_ref: input.modelRef, version: input.version }).first();
      if (!version) throw new NotFoundError(`No version ${input.version} of ${input.modelRef}`);
      const open = await tx<Row>('mlops_promotions')
        .where({ model_version_id: version.id, environment: input.environment, status: 'pending' })
        .first();
      if (open) {
        throw new ConflictError(`v${input.version} already has a pending request for ${input.environment} (${open.id})`);
      }
      await tx('mlops_promotions').insert({
        id,
        model_ref: input.modelRef,
        model_version_id: version.id,
        version: input.version,
        environment: input.environment,
        status: 'pending',
        requested_by: input.requestedBy,
        requested_at: now,
        request_reason: input.reason ?? null,
        artifact_digest: version.artifact_digest,
      });
      await this.audit.appendAudit(
        {
          actorRef: input.requestedBy,
          action: 'promotion.request',
          entityRef: input.modelRef,
          details: { promotion: id, version: input.version, environment: input.environment, reason: input.reason ?? null },
          occurredAt: now,
        },
        tx,
      );
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Promotion | undefined> {
    const row = await this.db<Row>('mlops_promotions').where({ id }).first();
    return row ? toPromotion(row) : undefined;
  }

  async list(filter: { status?: PromotionStatus; modelRef?: string; limit?: number }): Promise<Promotion[]> {
    const q = this.db<Row>('mlops_promotions').orderBy('requested_at', 'desc').limit(Math.min(filter.limit ?? 200, 1000));
    if (filter.status) q.where({ status: filter.status });
    if (filter.modelRef) q.where({ model_ref: filter.modelRef });
    return (await q).map(toPromotion);
  }

  /**
   * Records the decision if, and only if, the request is still pending: the conditional update is
   * what makes concurrent deciders safe on every database. `check` runs inside the transaction and
   * may throw to refuse the decision.
   */
  async decide(id: string, decision: Decision, now = new Date()): Promise<Promotion> {
    await this.db.transaction(async tx => {
      const changes =
        decision.outcome === 'approved'
          ? {
              status: 'approved',
              decided_by: decision.by,
              decided_at: now,
              decision_reason: decision.reason,
              override_reason: decision.overrideReason ?? null,
              evidence: JSON.stringify(decision.evidence),
              expires_at: decision.expiresAt,
            }
          : { status: 'rejected', decided_by: decision.by, decided_at: now, decision_reason: decision.reason };
      const updated = await tx('mlops_promotions').where({ id, status: 'pending' }).update(changes);
      if (updated !== 1) {
        const row = await tx<Row>('mlops_promotions').where({ id }).first();
        if (!row) throw new NotFoundError(`No promotion request ${id}`);
        throw new ConflictError(`Promotion request ${id} is already ${row.status}`);
      }
      const row = (await tx<Row>('mlops_promotions').where({ id }).first())!;
      let action = 'promotion.reject';
      if (decision.outcome === 'approved') {
        action = decision.overrideReason ? 'promotion.override' : 'promotion.approve';
      }
      await this.audit.appendAudit(
        {
          actorRef: decision.by,
          action,
          entityRef: row.model_ref,
          details: {
            promotion: id,
            version: row.version,
            environment: row.environment,
            reason: decision.reason,
            ...(decision.outcome === 'approved' && decision.overrideReason ? { override: decision.overrideReason } : {}),
          },
          occurredAt: now,
        },
        tx,
      );
    });
    return (await this.get(id))!;
  }

  /**
   * Ends approvals that no longer hold: past their expiry, or bound to a digest the version no
   * longer has. Each gets its audit row in the same transaction.
   */
  async expireDue(now = new Date()): Promise<number> {
    return this.db.transaction(async tx => {
      const approved: Array<Row & { current_digest: string }> = await tx('mlops_promotions')
        .join('mlops_model_versions', 'mlops_model_versions.id', 'mlops_promotions.model_version_id')
        .where('mlops_promotions.status', 'approved')
        .select('mlops_promotions.*', 'mlops_model_versions.artifact_digest as current_digest');
      let ended = 0;
      for (const row of approved) {
        const expired = row.expires_at !== null && new Date(row.expires_at).getTime() < now.getTime();
        const digestChanged = row.current_digest !== row.artifact_digest;
        if (!expired && !digestChanged) continue;
        const updated = await tx('mlops_promotions').where({ id: row.id, status: 'approved' }).update({ status: 'expired' });
        if (updated !== 1) continue;
        ended++;
        await this.audit.appendAudit(
          {
            actorRef: 'plugin:mlops',
            action: digestChanged ? 'promotion.invalidate' : 'promotion.expire',
            entityRef: row.model_ref,
            details: {
              promotion: row.id,
              version: row.version,
              environment: row.environment,
              ...(digestChanged ? { boundDigest: row.artifact_digest, currentDigest: row.current_digest } : {}),
            },
            occurredAt: now,
          },
          tx,
        );
      }
      return ended;
    });
  }
}
