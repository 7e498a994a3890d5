import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient, storeMigrations } from '../database/migrations';
import { ConflictError } from '@backstage/errors';
import { RolloutDecision } from '@modelrails/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { AuditLog, NewAuditEvent } from '../database/ModelRailsStore';
import { NewDecision, RolloutChanges, RolloutRecord, RolloutStore } from './RolloutStore';

type Row = {
  lease_owner?: string | null;
  id: string;
  model_ref: string;
  version: string;
  champion: string | null;
  promotion_id: string | null;
  traffic: string;
  policy: string;
  stage: RolloutRecord['stage'];
  status: RolloutRecord['status'];
  step: number | null;
  weight: number;
  mirrored: boolean | number;
  pending: string | null;
  scaled_down: boolean | number;
  stage_started_at: number | string;
  last_analysis_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  ended_at: number | string | null;
  headline: string | null;
  revision: number;
};

type DecisionRow = {
  id: number | string;
  rollout_id: string;
  at: number | string;
  stage: RolloutDecision['stage'];
  step: number | null;
  weight: number;
  action: RolloutDecision['action'];
  actor: string;
  reason: string;
  checks: string;
};

const num = (v: number | string) => Number(v);
const numOrNull = (v: number | string | null) => (v === null ? null : Number(v));

function toRecord(r: Row): RolloutRecord {
  return {
    id: r.id,
    modelRef: r.model_ref,
    version: r.version,
    champion: r.champion,
    promotionId: r.promotion_id,
    traffic: JSON.parse(r.traffic),
    policy: JSON.parse(r.policy),
    stage: r.stage,
    status: r.status,
    step: r.step,
    weight: Number(r.weight),
    mirrored: !!r.mirrored,
    pending: r.pending ? JSON.parse(r.pending) : null,
    scaledDown: !!r.scaled_down,
    stageStartedAt: num(r.stage_started_at),
    lastAnalysisAt: numOrNull(r.last_analysis_at),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    endedAt: numOrNull(r.ended_at),
    headline: r.headline,
    revision: r.revision,
  };
}

const COLUMN: Record<keyof RolloutChanges, keyof Row> = {
  stage: 'stage',
  status: 'status',
  step: 'step',
  weight: 'weight',
  mirrored: 'mirrored',
  pending: 'pending',
  scaledDown: 'scaled_down',
  stageStartedAt: 'stage_started_at',
  lastAnalysisAt: 'last_analysis_at',
  endedAt: 'ended_at',
  headline: 'headline',
};

/** Rollouts and their decision log; each change commits with its decision and audit row. */
export class DatabaseRolloutStore implements RolloutStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('rollout');

  static async create(options: { database: DatabaseService; audit: AuditLog }): Promise<DatabaseRolloutStore> {
    return new DatabaseRolloutStore(await migratedClient(options.database, [DatabaseRolloutStore.migrations]), options.audit);
  }

  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
  ) {}

  /** `driver`: the replica holding the rollout's lease (none for a person acting outside a drive). */
  private async appendDecision(tx: Knex.Transaction, record: RolloutRecord, decision: NewDecision, driver: string | null = null) {
    await tx('mlops_rollout_decisions').insert({
      driver,
      rollout_id: record.id,
      at: decision.at,
      stage: record.stage,
      step: record.step,
      weight: record.weight,
      action: decision.action,
      actor: decision.actor,
      reason: decision.reason,
      checks: JSON.stringify(decision.checks ?? []),
    });
  }

  async create(
    input: Omit<RolloutRecord, 'id' | 'revision' | 'updatedAt' | 'lastAnalysisAt' | 'endedAt' | 'headline' | 'scaledDown'>,
    decision: NewDecision,
    audit: NewAuditEvent,
  ): Promise<RolloutRecord> {
    const record: RolloutRecord = {
      ...input,
      id: randomUUID(),
      revision: 1,
      updatedAt: input.createdAt,
      lastAnalysisAt: null,
      endedAt: null,
      headline: null,
      scaledDown: false,
    };
    try {
      await this.db.transaction(async tx => {
        const active = await tx('mlops_rollouts').where({ model_ref: record.modelRef }).whereNull('ended_at').first('id', 'version');
        if (active) throw new ConflictError(`${record.modelRef} already has a rollout in progress (v${active.version}, ${active.id})`);
        await tx('mlops_rollouts').insert({
          id: record.id,
          model_ref: record.modelRef,
          version: record.version,
          champion: record.champion,
          promotion_id: record.promotionId,
          traffic: JSON.stringify(record.traffic),
          policy: JSON.stringify(record.policy),
          stage: record.stage,
          status: record.status,
          step: record.step,
          weight: record.weight,
          mirrored: record.mirrored,
          pending: record.pending ? JSON.stringify(record.pending) : null,
          scaled_down: false,
          stage_started_at: record.stageStartedAt,
          last_analysis_at: null,
          created_at: record.createdAt,
          updated_at: record.updatedAt,
          ended_at: null,
          headline: null,
          revision: record.revision,
        });
        await this.appendDecision(tx, record, decision);
        await this.audit.appendAudit({ ...audit, details: { ...audit.details, rollout: record.id } }, tx);
      });
    } catch (e) {
      // The partial unique index caught a concurrent create the check above could not see.
      if (!(e instanceof ConflictError) && /unique|duplicate/i.test(String((e as Error).message))) {
        throw new ConflictError(`${record.modelRef} already has a rollout in progress`);
      }
      throw e;
    }
    return record;
  }

  async get(id: string): Promise<RolloutRecord | undefined> {
    const row = await this.db<Row>('mlops_rollouts').where({ id }).first();
    return row ? toRecord(row) : undefined;
  }

  async list(filter: { modelRef?: string; unfinished?: boolean; limit?: number }): Promise<RolloutRecord[]> {
    const q = this.db<Row>('mlops_rollouts').orderBy('created_at', 'desc').orderBy('id').limit(Math.min(filter.limit ?? 100, 1000));
    if (filter.modelRef) q.where({ model_ref: filter.modelRef });
    if (filter.unfinished) {
      // Not ended, or ended by a rollback whose challenger is not scaled down yet.
      q.where(w => w.whereNull('ended_at').orWhere(r => r.where('scaled_down', false).whereIn('status', ['rolled-back', 'aborted'])));
    }
    return (await q).map(toRecord);
  }

  async update(
    id: string,
    revision: number,
    changes: RolloutChanges,
    now: number,
    decision?: NewDecision,
    audit?: NewAuditEvent,
  ): Promise<RolloutRecord | undefined> {
    const values: Record<string, unknown> = { revision: revision + 1, updated_at: now };
    for (const [key, value] of Object.entries(changes) as Array<[keyof RolloutChanges, unknown]>) {
      values[COLUMN[key]] = key === 'pending' && value ? JSON.stringify(value) : value;
    }
    return this.db.transaction(async tx => {
      const updated = await tx('mlops_rollouts').where({ id, revision }).update(values);
      if (!updated) return undefined;
      const row = (await tx<Row>('mlops_rollouts').where({ id }).first())!;
      const record = toRecord(row);
      if (decision) await this.appendDecision(tx, record, decision, row.lease_owner ?? null);
      if (audit) await this.audit.appendAudit({ ...audit, details: { ...audit.details, rollout: id } }, tx);
      return record;
    });
  }

  async decisions(id: string, limit: number): Promise<RolloutDecision[]> {
    const rows = await this.db<DecisionRow>('mlops_rollout_decisions').where({ rollout_id: id }).orderBy('id', 'desc').limit(limit);
    return rows.map(r => ({
      id: Number(r.id),
      rolloutId: r.rollout_id,
      at: new Date(Number(r.at)).toISOString(),
      stage: r.stage,
      step: r.step,
      weight: Number(r.weight),
      action: r.action,
      actor: r.actor,
      reason: r.reason,
      checks: JSON.parse(r.checks),
    }));
  }

  async acquireLease(id: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const updated = await this.db('mlops_rollouts')
      .where({ id })
      .andWhere(q => q.whereNull('lease_until').orWhere('lease_until', '<', now).orWhere('lease_owner', owner))
      .update({ lease_owner: owner, lease_until: now + ttlMs });
    return updated === 1;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db('mlops_rollouts').where({ id, lease_owner: owner }).update({ lease_owner: null, lease_until: null });
  }
}
