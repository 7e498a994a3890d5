import { DatabaseService } from '@backstage/backend-plugin-api';
import { DatabaseModelRailsStore } from './database/DatabaseModelRailsStore';
import { migratedClient } from './database/migrations';
import { DatabaseKpiStore } from './kpi/DatabaseKpiStore';
import { DatabaseSyncStatusStore } from './mlflow/SyncStatusStore';
import { DatabasePromotionStore } from './promotion/DatabasePromotionStore';
import { DatabaseRegistryStore } from './registry/DatabaseRegistryStore';
import { DatabaseRolloutStore } from './rollout/DatabaseRolloutStore';
import { DatabaseTelemetryStore } from './telemetry/DatabaseTelemetryStore';

/**
 * Every store's migrations, each store owning its own (folder under `migrations/` and history
 * table), in the order their foreign keys need: the registry's versions before the gates,
 * promotions and rollouts that point at them.
 */
export const STORE_MIGRATIONS = [
  DatabaseModelRailsStore.migrations,
  DatabaseRegistryStore.migrations,
  DatabaseSyncStatusStore.migrations,
  DatabasePromotionStore.migrations,
  DatabaseTelemetryStore.migrations,
  DatabaseRolloutStore.migrations,
  DatabaseKpiStore.migrations,
];

/** The plugin's database with every store migrated, unless the backend says to skip migrations. */
export function migrateDatabase(database: DatabaseService) {
  return migratedClient(database, STORE_MIGRATIONS);
}
