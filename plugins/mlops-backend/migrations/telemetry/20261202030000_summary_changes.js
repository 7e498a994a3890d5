// @ts-check

/**
 * Which replica committed summaries of which model, from which bucket on: every replica reads the
 * rows of the others every few seconds and drops what its caches computed from those buckets, so a
 * late batch through one replica is seen by the drift answers of all. Rows live a few minutes.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_summary_changes', table => {
    table.comment('Recent summary commits per model and replica, so every replica invalidates its caches');
    table.bigIncrements('id').primary();
    table.string('model_ref', 255).notNullable();
    table.bigInteger('oldest_bucket').notNullable().comment('the oldest 5-minute bucket the commit touched');
    table.string('replica', 100).notNullable();
    table.bigInteger('at').notNullable().index();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_summary_changes');
};
