// @ts-check

/**
 * What each gate evaluation was judged against: the champion at the time and a digest of the
 * policy's gates. Evidence evaluated against an older champion or policy is stale: the gates run
 * again, and an approval on stale evidence is refused. Evaluations before this have neither and
 * count as stale.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_gate_evaluations', table => {
    table.string('champion', 64).nullable().comment('the champion version judged against; null: none');
    table.string('policy_digest', 64).nullable().comment('sha256 of the policy gates, canonical JSON; null: evaluated before digests');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_gate_evaluations', table => {
    table.dropColumn('champion');
    table.dropColumn('policy_digest');
  });
};
