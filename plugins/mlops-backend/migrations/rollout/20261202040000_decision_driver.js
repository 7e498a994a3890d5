// @ts-check

/**
 * Which replica held the rollout's lease when a decision was written: with several replicas, the
 * decision log shows that one drove each rollout at a time, and which took over after a crash.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_rollout_decisions', table => {
    table.string('driver', 100).nullable().comment('the replica holding the lease (null for an action outside a drive)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_rollout_decisions', table => {
    table.dropColumn('driver');
  });
};
