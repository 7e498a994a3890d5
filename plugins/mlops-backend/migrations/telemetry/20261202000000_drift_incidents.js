// @ts-check

/**
 * Open drift incidents: which features (per segment) drift for a model and how badly, since when,
 * and when the incident last triggered a retrain. A drift monitor run that sees the same incident
 * again does not trigger another retrain inside the policy's minimum interval, critical or not; a
 * run that sees no drift closes it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_drift_incidents', table => {
    table.comment('One open drift incident per model, so one incident triggers one retrain');
    table.string('model_ref', 255).primary();
    table.text('features').notNullable().comment('JSON: {"<feature>\\u0000<segment>": "warning" | "critical"}');
    table.bigInteger('opened_at').notNullable();
    table.bigInteger('triggered_at').nullable().comment('when the incident last fired a retrain (not suppressed)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_drift_incidents');
};
