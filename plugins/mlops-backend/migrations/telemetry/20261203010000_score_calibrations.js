// @ts-check

/**
 * A version's score calibration (src/stats/cbpe.ts): isotonic blocks fitted on the labelled
 * training scores of its reference profile, what performance estimation before labels needs.
 * Written with the profile, in its transaction, and as immutable as it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_score_calibrations', table => {
    table.string('model_ref', 255).notNullable();
    table.string('version', 255).notNullable();
    table.string('outcome', 255).notNullable();
    table.text('calibration').notNullable().comment('JSON of ScoreCalibration');
    table.bigInteger('created_at').notNullable();
    table.primary(['model_ref', 'version']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_score_calibrations');
};
