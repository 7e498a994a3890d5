// @ts-check

/**
 * The audit trail: every state change of ModelRails writes one row here, in the same transaction
 * as the change itself (PRODUCT.md C13).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_audit_log', table => {
    table.comment('Who changed what in ModelRails, written in the same transaction as the change');
    table.bigIncrements('id').primary();
    table.timestamp('occurred_at', { useTz: true, precision: 3 }).notNullable();
    table.string('actor_ref', 255).notNullable().comment('user or service that acted');
    table.string('action', 100).notNullable();
    table.string('entity_ref', 255).nullable().comment('Model entity the action concerns');
    table.text('details').notNullable().defaultTo('{}').comment('JSON');
    table.index(['entity_ref', 'occurred_at'], 'mlops_audit_log_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_audit_log');
};
