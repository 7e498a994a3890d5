import knexFactory, { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BenchDatabase = { knex: Knex; dispose: () => Promise<void> };

/** A SQLite file of its own (WAL, as the backend runs it), removed on dispose. */
export async function openSqlite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-bench-'));
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: join(dir, 'bench.sqlite') }, useNullAsDefault: true });
  await knex.raw('pragma journal_mode = wal');
  return {
    knex,
    dispose: async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `use` with an opener of empty PostgreSQL databases on BENCH_POSTGRES_URL's server (each
 * dropped on dispose, so a server reused between runs starts empty); false when there is no server.
 */
export async function withPostgres(use: (open: () => Promise<BenchDatabase>) => Promise<void>): Promise<boolean> {
  if (!process.env.BENCH_POSTGRES_URL) return false;
  const admin = knexFactory({ client: 'pg', connection: process.env.BENCH_POSTGRES_URL });
  try {
    await use(async () => {
      const database = `modelrails_bench_${Date.now()}`;
      await admin.raw(`create database ${database}`);
      const url = new URL(process.env.BENCH_POSTGRES_URL!);
      url.pathname = `/${database}`;
      const knex = knexFactory({ client: 'pg', connection: url.toString() });
      return {
        knex,
        dispose: async () => {
          await knex.destroy();
          await admin.raw(`drop database ${database}`);
        },
      };
    });
  } finally {
    await admin.destroy();
  }
  return true;
}
