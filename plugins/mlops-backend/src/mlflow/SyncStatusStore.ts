import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient, storeMigrations } from '../database/migrations';
import { Knex } from 'knex';
import { SyncStatus as ApiSyncStatus } from '@modelrails/plugin-mlops-common';

/** A sync that ran: every field of the API's status but `configured`. */
export type SyncStatus = Required<Omit<ApiSyncStatus, 'configured'>>;

/** The last outcome of each sync, kept in the database so every backend replica can show it. */
export interface SyncStatusStore {
  record(
    source: string,
    status: { startedAt: Date; finishedAt: Date; ok: boolean; message: string; details: object },
  ): Promise<void>;
  get(source: string): Promise<SyncStatus | undefined>;
}

export class DatabaseSyncStatusStore implements SyncStatusStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('mlflow');

  static async create(options: { database: DatabaseService }): Promise<DatabaseSyncStatusStore> {
    return new DatabaseSyncStatusStore(await migratedClient(options.database, [DatabaseSyncStatusStore.migrations]));
  }

  constructor(private readonly db: Knex) {}

  async record(
    source: string,
    status: { startedAt: Date; finishedAt: Date; ok: boolean; message: string; details: object },
  ) {
    const row = {
      started_at: status.startedAt,
      finished_at: status.finishedAt,
      ok: status.ok,
      message: status.message.slice(0, 2000),
      details: JSON.stringify(status.details),
    };
    await this.db('mlops_sync_status').insert({ source, ...row }).onConflict('source').merge(row);
  }

  async get(source: string): Promise<SyncStatus | undefined> {
    const row = await this.db('mlops_sync_status').where({ source }).first();
    if (!row) return undefined;
    return {
      source,
      startedAt: new Date(row.started_at).toISOString(),
      finishedAt: new Date(row.finished_at).toISOString(),
      ok: Boolean(row.ok),
      message: row.message,
      details: JSON.parse(row.details),
    };
  }
}
