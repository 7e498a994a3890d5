import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

function envName(id: TestDatabaseId) {
  return `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`;
}

/**
 * The databases every store test runs on: SQLite always, and each PostgreSQL server given through
 * BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING (`npm test` starts one on loopback).
 * With MODELRAILS_REQUIRE_POSTGRES=1 a missing server is an error, never a silent skip.
 */
export function createTestDatabases(): TestDatabases {
  const postgres = POSTGRES_IDS.filter(id => process.env[envName(id)]);
  if (process.env.MODELRAILS_REQUIRE_POSTGRES === '1' && postgres.length === 0) {
    throw new Error(
      'MODELRAILS_REQUIRE_POSTGRES=1 but no BACKSTAGE_TEST_DATABASE_POSTGRES*_CONNECTION_STRING is set',
    );
  }
  return TestDatabases.create({ ids: ['SQLITE_3', ...postgres], disableDocker: true });
}
