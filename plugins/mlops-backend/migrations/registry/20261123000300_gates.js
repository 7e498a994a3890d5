// @ts-check

/**
 * Gate evaluations of model versions (PRODUCT.md C3): every evaluation is kept, the latest counts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_gate_evaluations', table => {
    table.comment('Results of the validation gates of a model version, one row per evaluation');
    table.string('id', 36).primary();
    table
      .string('model_version_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_model_versions')
      .onDelete('CASCADE');
    table.timestamp('evaluated_at', { useTz: true, precision: 3 }).notNullable();
    table.string('trigger', 16).notNullable().comment('registration | manual | sync');
    table.boolean('passed').notNullable();
    table.text('results').notNullable().comment('JSON: [{kind, name, rule, status, value, threshold, reason}]');
    table.index(['model_version_id', 'evaluated_at'], 'mlops_gate_evaluations_version_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_gate_evaluations');
};
