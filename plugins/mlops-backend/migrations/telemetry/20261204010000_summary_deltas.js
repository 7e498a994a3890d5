// @ts-check

/**
 * Summaries appended, merged later. Ingestion used to read each summary row a batch touched, merge
 * and write it back under a per-model lock: a batch spread over 100 buckets touched about 23,000
 * rows at about 58 µs each, and replicas ingesting one model waited on each other. Now a batch
 * appends its summaries here (no read, no lock); readers merge these rows with mlops_summaries'
 * in one statement, and the compaction task folds them into mlops_summaries every few seconds.
 * Stop every replica for this upgrade: one still running the previous version would neither write
 * nor read the appended rows.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const postgres = String(knex.client.config.client).includes('pg');
  await knex.schema.createTable('mlops_summary_deltas', table => {
    table.comment('Summaries appended by ingestion, read with mlops_summaries and folded into it by compaction');
    table.bigIncrements('id');
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('layout_version', 64).notNullable();
    table.string('segment', 200).notNullable();
    table.string('feature', 128).notNullable();
    table.integer('bucket_ms').notNullable();
    table.bigInteger('bucket_start').notNullable();
    if (postgres) table.specificType('summary', 'bytea').notNullable();
    else table.binary('summary').notNullable();
    table.index(['model_ref', 'bucket_ms', 'bucket_start'], 'mlops_summary_deltas_bucket_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  // Appended rows are folded in by the backend's compaction, which needs its code: refuse to lose them.
  const [row] = await knex('mlops_summary_deltas').count({ n: '*' });
  if (Number(row.n) > 0) throw new Error(`mlops_summary_deltas holds ${row.n} rows not yet compacted: let the backend compact them (every 10 s) before migrating down`);
  await knex.schema.dropTable('mlops_summary_deltas');
};
