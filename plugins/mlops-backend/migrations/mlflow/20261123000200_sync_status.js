// @ts-check

/**
 * The last outcome of each external sync (MLflow), so any backend replica can show it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_sync_status', table => {
    table.string('source', 32).primary();
    table.timestamp('started_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('finished_at', { useTz: true, precision: 3 }).notNullable();
    table.boolean('ok').notNullable();
    table.text('message').notNullable();
    table.text('details').notNullable().defaultTo('{}');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_sync_status');
};
