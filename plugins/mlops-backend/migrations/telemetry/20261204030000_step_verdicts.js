// @ts-check

/**
 * Drift series' verdicts of closed steps, kept in the database besides each replica's memory: the
 * first 30-day query after a restart (or on a replica that has not answered it yet) judges only the
 * steps no replica has judged, instead of all 61. A commit of telemetry deletes the model's verdicts
 * of the steps it reaches into (`step_end` after its oldest bucket); verdicts are rebuilt from the
 * summaries whenever missing, so the table may be emptied at any time.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_step_verdicts', table => {
    table.comment('Verdicts of closed drift-series steps, rebuilt from the summaries whenever missing');
    table.string('model_ref', 255).notNullable();
    table.string('series', 64).notNullable().comment('sha-256 of the series: version, layout, segment, step and drift policy');
    table.bigInteger('step_start').notNullable();
    table.bigInteger('step_end').notNullable();
    table.text('verdict').notNullable();
    table.bigInteger('computed_at').notNullable();
    table.primary(['model_ref', 'series', 'step_start']);
    table.index(['model_ref', 'step_end'], 'mlops_step_verdicts_end_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_step_verdicts');
};
