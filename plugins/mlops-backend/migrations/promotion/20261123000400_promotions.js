// @ts-check

/**
 * Promotion requests and their one decision (PRODUCT.md C4).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_promotions', table => {
    table.comment('A request to promote a model version to an environment, and its decision');
    table.string('id', 36).primary();
    table.string('model_ref', 255).notNullable();
    table
      .string('model_version_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_model_versions')
      .onDelete('CASCADE');
    table.string('version', 64).notNullable();
    table.string('environment', 64).notNullable();
    table.string('status', 16).notNullable().comment('pending | approved | rejected | expired');
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true, precision: 3 }).notNullable();
    table.text('request_reason').nullable();
    table.string('artifact_digest', 80).notNullable().comment('bound at request time');
    table.string('decided_by', 255).nullable();
    table.timestamp('decided_at', { useTz: true, precision: 3 }).nullable();
    table.text('decision_reason').nullable();
    table.text('override_reason').nullable().comment('break-glass approval despite failing gates');
    table.text('evidence').nullable().comment('JSON snapshot taken at approval');
    table.timestamp('expires_at', { useTz: true, precision: 3 }).nullable();
    table.index(['status', 'requested_at'], 'mlops_promotions_status_idx');
    table.index(['model_ref', 'requested_at'], 'mlops_promotions_model_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_promotions');
};
