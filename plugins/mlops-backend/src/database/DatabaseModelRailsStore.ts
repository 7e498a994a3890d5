import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  AuditEvent,
  ModelRailsStore,
  NewAuditEvent,
  StoreHealth,
  StoreTransaction,
} from './ModelRailsStore';
import { completedMigrations, migratedClient, StoreMigrations, storeMigrations } from './migrations';

type AuditRow = {
  id: string | number;
  occurred_at: string | Date | number;
  actor_ref: string;
  action: string;
  entity_ref: string | null;
  details: string;
};

/**
 * The plugin's database and its audit trail on SQLite or PostgreSQL. It owns the audit table's
 * migrations; its health lists the migrations of every store it is told about.
 */
export class DatabaseModelRailsStore implements ModelRailsStore {
  static readonly migrations = storeMigrations('audit');

  static async create(options: { database: DatabaseService }): Promise<DatabaseModelRailsStore> {
    return new DatabaseModelRailsStore(await migratedClient(options.database, [DatabaseModelRailsStore.migrations]));
  }

  constructor(
    private readonly db: Knex,
    /** The stores whose migrations `health()` lists. */
    private readonly stores: StoreMigrations[] = [DatabaseModelRailsStore.migrations],
  ) {}

  async health(): Promise<StoreHealth> {
    const client = String(this.db.client.config.client);
    try {
      await this.db.raw('select 1');
      return { client, reachable: true, migrations: await completedMigrations(this.db, this.stores) };
    } catch {
      return { client, reachable: false, migrations: [] };
    }
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async appendAudit(event: NewAuditEvent, tx?: StoreTransaction): Promise<AuditEvent> {
    const occurredAt = event.occurredAt ?? new Date();
    const [row] = await (tx ?? this.db)<AuditRow>('mlops_audit_log')
      .insert({
        occurred_at: occurredAt,
        actor_ref: event.actorRef,
        action: event.action,
        entity_ref: event.entityRef ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    return { ...event, id: String(id), occurredAt, details: event.details ?? {} };
  }

  async listAudit(filter: { entityRef?: string; limit?: number }): Promise<AuditEvent[]> {
    const query = this.db<AuditRow>('mlops_audit_log')
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
    if (filter.entityRef) {
      query.where('entity_ref', filter.entityRef);
    }
    const rows = await query;
    return rows.map(row => ({
      id: String(row.id),
      occurredAt: new Date(row.occurred_at),
      actorRef: row.actor_ref,
      action: row.action,
      entityRef: row.entity_ref ?? undefined,
      details: JSON.parse(row.details),
    }));
  }
}
