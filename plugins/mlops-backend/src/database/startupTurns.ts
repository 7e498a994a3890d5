import { coreServices, createServiceFactory, DatabaseService, RootConfigService } from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import knexFactory, { Knex } from 'knex';

/** PostgreSQL session advisory lock held by the replica that is starting ("mlopv" in ASCII). */
export const STARTUP_LOCK = 0x6d6c6f7076;

/**
 * The lock a starting backend holds on the database server, if the backend uses PostgreSQL: taken on
 * the first call, released by `release()` (or with the process's connection when it exits).
 */
export function startupTurn(config: RootConfigService) {
  const client = config.getOptionalString('backend.database.client');
  if (!client || !['pg', 'postgres', 'postgresql'].includes(client)) return { take: async () => {}, release: async () => {} };
  let lock: Promise<{ db: Knex; connection: unknown }> | undefined;
  return {
    take: () => {
      lock ??= (async () => {
        // The server's own database: plugins' databases may not exist yet, and advisory locks are per database.
        const db = knexFactory({ client: 'pg', connection: config.get('backend.database.connection') as Knex.StaticConnectionConfig, pool: { min: 0, max: 1 } });
        const connection = await db.client.acquireConnection();
        await db.raw('select pg_advisory_lock(?)', [STARTUP_LOCK]).connection(connection);
        return { db, connection };
      })();
      return lock.then(() => undefined);
    },
    release: async () => {
      if (!lock) return;
      const { db, connection } = await lock;
      try {
        await db.raw('select pg_advisory_unlock(?)', [STARTUP_LOCK]).connection(connection);
        await db.client.releaseConnection(connection);
      } finally {
        await db.destroy();
      }
    },
  };
}

/**
 * Backstage's database service, except that replicas started at the same moment on one PostgreSQL
 * take turns until each has started. Backstage's own stores (the auth service's public keys, the
 * scheduler's tasks) migrate with knex, whose migration tables are created without a guard: two
 * replicas creating them at once, one fails to start. Here every plugin's client is handed out only
 * while this process holds `STARTUP_LOCK`, released once the backend has started, so the next
 * replica finds the tables made. Add it to a backend that runs several replicas:
 * `backend.add(mlopsStartupTurnsDatabaseServiceFactory)`. SQLite needs nothing: one process's file.
 *
 * @public
 */
export const mlopsStartupTurnsDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    const turn = startupTurn(config);
    rootLifecycle.addStartupHook(() => turn.release());
    return { manager: DatabaseManager.fromConfig(config, { rootLifecycle, rootLogger }), turn };
  },
  async factory({ pluginMetadata, lifecycle, logger }, { manager, turn }): Promise<DatabaseService> {
    const database = manager.forPlugin(pluginMetadata.getId(), { lifecycle, logger });
    return {
      ...(database.migrations ? { migrations: database.migrations } : {}),
      getClient: async () => {
        await turn.take();
        return database.getClient();
      },
    };
  },
});
