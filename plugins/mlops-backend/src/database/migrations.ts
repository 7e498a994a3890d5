import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { readdirSync } from 'node:fs';
import { Knex } from 'knex';

/** Where one store keeps its migrations and the history of those that ran. */
export type StoreMigrations = {
  /** The store's name, also the folder under the package's `migrations/`. */
  store: string;
  directory: string;
  /** knex's history table for this store alone (its lock table is `<tableName>_lock`). */
  tableName: string;
};

/** Before each store kept its own history, every migration was recorded in knex's shared table. */
const SHARED_HISTORY = 'knex_migrations';

export function storeMigrations(store: string): StoreMigrations {
  return {
    store,
    directory: resolvePackagePath('@modelrails/plugin-mlops-backend', 'migrations', store),
    tableName: `mlops_${store}_migrations`,
  };
}

/** The migration files a store ships, in the order they run. */
export function migrationFiles(migrations: StoreMigrations): string[] {
  return readdirSync(migrations.directory)
    .filter(file => file.endsWith('.js'))
    .sort();
}

/**
 * A database migrated before its stores kept their own histories has this store's migrations in
 * knex's shared table: copy them into the store's table, once, so none runs twice.
 */
async function adoptSharedHistory(db: Knex, migrations: StoreMigrations) {
  if (await db.schema.hasTable(migrations.tableName)) return;
  if (!(await db.schema.hasTable(SHARED_HISTORY))) return;
  const rows = await db(SHARED_HISTORY).whereIn('name', migrationFiles(migrations)).select('name', 'batch', 'migration_time');
  if (rows.length === 0) return;
  try {
    await db.transaction(async tx => {
      // The table knex itself would create (knex adds the lock table when it first migrates).
      await tx.schema.createTable(migrations.tableName, table => {
        table.increments();
        table.string('name');
        table.integer('batch');
        table.timestamp('migration_time');
      });
      await tx(migrations.tableName).insert(rows);
    });
  } catch (error) {
    // Another replica adopted the history at the same moment: its copy stands.
    if (!(await db.schema.hasTable(migrations.tableName))) throw error;
  }
}

/** Runs one store's pending migrations (after adopting its history from the shared table). */
export async function migrateStore(db: Knex, migrations: StoreMigrations): Promise<void> {
  await adoptSharedHistory(db, migrations);
  await db.migrate.latest({ directory: migrations.directory, tableName: migrations.tableName });
}

/** PostgreSQL session advisory locks the replicas take around work only one may do at a time. */
export const DATABASE_LOCKS = {
  /** Migrations ("mlops" in ASCII). */
  migrations: 0x6d6c6f7073,
  /** The embedded demo's seeding of its registry history and promotion requests (during start). */
  demoSeed: 0x6d6c6f7074,
  /**
   * The embedded demo's canaries, started once the catalog is ready. A lock of its own: starting
   * them may wait on a router for a while, and a replica still starting must not wait behind it.
   */
  demoRollouts: 0x6d6c6f7075,
} as const;

const isPostgres = (db: Knex) => ['pg', 'postgres', 'postgresql'].includes(String(db.client.config.client));

/**
 * Runs `fn` while holding a database-wide lock, so replicas started at the same moment on one
 * PostgreSQL database take turns: the first does the work, the others wait for it and then find
 * nothing left to do. (Migrations would otherwise race knex's own lock tables: both create them,
 * one fails.) SQLite is one process's file: nothing to serialize.
 */
export async function withDatabaseLock<T>(db: Knex, lock: number, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return fn();
  // One connection holds the lock for the whole run; the work uses the pool's others.
  const connection = await db.client.acquireConnection();
  try {
    await db.raw('select pg_advisory_lock(?)', [lock]).connection(connection);
    try {
      return await fn();
    } finally {
      await db.raw('select pg_advisory_unlock(?)', [lock]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/** The plugin's database client, each store migrated in turn unless the backend says to skip migrations. */
export async function migratedClient(database: DatabaseService, stores: StoreMigrations[]): Promise<Knex> {
  const db = await database.getClient();
  if (!database.migrations?.skip) {
    await withDatabaseLock(db, DATABASE_LOCKS.migrations, async () => {
      for (const migrations of stores) await migrateStore(db, migrations);
    });
  }
  return db;
}

/** The names of the migrations that ran, over every store, in the order of their names (read only). */
export async function completedMigrations(db: Knex, stores: StoreMigrations[]): Promise<string[]> {
  const names: string[] = [];
  for (const { tableName } of stores) {
    if (await db.schema.hasTable(tableName)) names.push(...(await db(tableName).pluck('name')));
  }
  return [...new Set(names)].sort();
}
