// @ts-check

/**
 * Whether a version's creator is a User in the catalog. CI names the person it acts for; a name
 * the catalog does not know cannot be held to "the creator never approves", so only the platform
 * teams (the override permission) may approve such a version. Versions before this were made by
 * the token's own identity or a name nobody checked: they stay as they were (verified).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_model_versions', table => {
    table.boolean('creator_verified').notNullable().defaultTo(true).comment('false: creator_ref is not a catalog User');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_model_versions', table => {
    table.dropColumn('creator_verified');
  });
};
