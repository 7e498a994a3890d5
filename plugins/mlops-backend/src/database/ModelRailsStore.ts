import { Knex } from 'knex';

/** One row of the audit trail. */
export type AuditEvent = {
  id: string;
  occurredAt: Date;
  actorRef: string;
  action: string;
  entityRef?: string;
  details: Record<string, unknown>;
};

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'occurredAt'> & {
  occurredAt?: Date;
};

export type StoreHealth = {
  client: string;
  reachable: boolean;
  migrations: string[];
};

/** A unit of work: what is written through it commits or rolls back as one. */
export type StoreTransaction = Knex.Transaction;

/** Where state changes record themselves; pass the change's transaction so both commit together. */
export interface AuditLog {
  appendAudit(event: NewAuditEvent, tx?: StoreTransaction): Promise<AuditEvent>;
}

/**
 * Everything ModelRails keeps. Each capability adds its own methods; writes that belong together
 * (a state change and its audit row) take the same transaction.
 */
export interface ModelRailsStore extends AuditLog {
  health(): Promise<StoreHealth>;
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  listAudit(filter: { entityRef?: string; limit?: number }): Promise<AuditEvent[]>;
}
