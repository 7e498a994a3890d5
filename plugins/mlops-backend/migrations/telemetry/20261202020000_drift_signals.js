// @ts-check

/**
 * Each model's latest drift signals (the PSI and verdict per feature and segment, the open contract
 * violations), written by the drift monitor on whichever replica runs it and read by every replica,
 * so each exports the same drift and contract gauges to Prometheus.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_drift_signals', table => {
    table.comment('The latest drift signals of each model, exported by every replica');
    table.string('model_ref', 255).primary();
    table.bigInteger('computed_at').notNullable().index();
    table.text('signals').notNullable().comment('JSON: {"features": [...], "violations": [...]}');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_drift_signals');
};
