// @ts-check

/**
 * Rollouts (PRODUCT.md C5): one state machine per approved promotion to production, and its
 * decision log. Times are epoch milliseconds, as in the telemetry tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_rollouts', table => {
    table.comment('A rollout of a challenger version against the champion, as last verified in the traffic router');
    table.string('id', 36).primary();
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable().comment('the challenger');
    table.string('champion', 64).nullable().comment('the warm standby');
    table.string('promotion_id', 36).nullable();
    table.text('traffic').notNullable().comment('JSON: the policy traffic target at creation');
    table.text('policy').notNullable().comment('JSON: the rollout policy at creation (steps, shadow, analysis)');
    table.string('stage', 16).notNullable().comment('shadow | canary | full | rolled-back | aborted');
    table.string('status', 16).notNullable().comment('running | paused | pending | succeeded | rolled-back | aborted');
    table.integer('step').nullable();
    table.float('weight').notNullable().comment('challenger share as verified in the router');
    table.boolean('mirrored').notNullable();
    table.text('pending').nullable().comment('JSON: the traffic move written ahead of the router');
    table.boolean('scaled_down').notNullable().defaultTo(false);
    table.bigInteger('stage_started_at').notNullable();
    table.bigInteger('last_analysis_at').nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.bigInteger('ended_at').nullable();
    table.text('headline').nullable();
    table.integer('revision').notNullable().comment('optimistic concurrency: every update checks and bumps it');
    table.string('lease_owner', 100).nullable().comment('the replica driving it now');
    table.bigInteger('lease_until').nullable();
    table.index(['model_ref', 'created_at'], 'mlops_rollouts_model_idx');
    table.index(['status'], 'mlops_rollouts_status_idx');
  });
  // At most one rollout per model that has not ended, whatever races (partial index: both databases).
  await knex.raw('create unique index mlops_rollouts_one_active on mlops_rollouts (model_ref) where ended_at is null');
  await knex.schema.createTable('mlops_rollout_decisions', table => {
    table.comment('Every analysis and every action of a rollout, with measured values beside thresholds');
    table.bigIncrements('id').primary();
    table.string('rollout_id', 36).notNullable().references('id').inTable('mlops_rollouts').onDelete('CASCADE');
    table.bigInteger('at').notNullable();
    table.string('stage', 16).notNullable();
    table.integer('step').nullable();
    table.float('weight').notNullable();
    table.string('action', 16).notNullable();
    table.string('actor', 255).notNullable();
    table.text('reason').notNullable();
    table.text('checks').notNullable().comment('JSON array of RolloutCheck');
    table.index(['rollout_id', 'id'], 'mlops_rollout_decisions_rollout_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_rollout_decisions');
  await knex.schema.dropTable('mlops_rollouts');
};
