// @ts-check

/**
 * What became of a submitted retraining run: the action's own phase (an Argo Workflow's Pending,
 * Running, Succeeded, Failed or Error), its message, and when it was last read. Followed until the
 * phase is final, so a failed training run no longer stays "submitted" for ever.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_retrain_triggers', table => {
    table.string('run_phase', 24).nullable().comment('the run as its system reports it, e.g. Running, Succeeded, Failed');
    table.text('run_message').nullable();
    table.boolean('run_finished').notNullable().defaultTo(false).comment('true once the phase is final: no longer followed');
    table.bigInteger('run_checked_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_retrain_triggers', table => {
    table.dropColumn('run_phase');
    table.dropColumn('run_message');
    table.dropColumn('run_finished');
    table.dropColumn('run_checked_at');
  });
};
