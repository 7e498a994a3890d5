// @ts-check

/**
 * The model registry and its lineage (PRODUCT.md C2): dataset versions, training runs and their
 * inputs, model versions, deployments with traffic weights, and aliases.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_dataset_versions', table => {
    table.comment('A version of a dataset (a catalog Resource) with its content digest');
    table.string('id', 36).primary();
    table.string('dataset_ref', 255).notNullable().comment('resource entity ref');
    table.string('version', 128).notNullable();
    table.string('digest', 80).notNullable().comment('sha256:<hex>');
    table.string('uri', 2048).nullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.unique(['dataset_ref', 'version'], { indexName: 'mlops_dataset_versions_ref_version_uq' });
  });

  await knex.schema.createTable('mlops_training_runs', table => {
    table.comment('A training run, from CI or from an MLflow tracking server');
    table.string('id', 36).primary();
    table.string('source', 16).notNullable().comment('ci | mlflow | demo');
    table.string('run_id', 255).notNullable().comment('the id the source gave the run');
    table.string('run_url', 2048).nullable();
    table.string('experiment', 255).nullable();
    table.timestamp('started_at', { useTz: true, precision: 3 }).nullable();
    table.timestamp('finished_at', { useTz: true, precision: 3 }).nullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.unique(['source', 'run_id'], { indexName: 'mlops_training_runs_source_run_uq' });
  });

  await knex.schema.createTable('mlops_run_inputs', table => {
    table.comment('Which dataset versions a training run read');
    table.string('run_id', 36).notNullable().references('id').inTable('mlops_training_runs').onDelete('CASCADE');
    table
      .string('dataset_version_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_dataset_versions')
      .onDelete('CASCADE');
    table.primary(['run_id', 'dataset_version_id']);
    table.index(['dataset_version_id'], 'mlops_run_inputs_dataset_idx');
  });

  await knex.schema.createTable('mlops_model_versions', table => {
    table.comment('A version of a Model entity with its lineage record');
    table.string('id', 36).primary();
    table.string('model_ref', 255).notNullable().comment('model entity ref');
    table.string('version', 64).notNullable();
    table.string('run_id', 36).nullable().references('id').inTable('mlops_training_runs').onDelete('SET NULL');
    table.string('code_commit', 64).nullable();
    table.text('hyperparameters').notNullable().defaultTo('{}').comment('JSON object');
    table.text('metrics').notNullable().defaultTo('{}').comment('JSON object of numbers');
    table.text('feature_sets').notNullable().defaultTo('[]').comment('JSON: [{ref, version, schema}]');
    table.string('artifact_uri', 2048).notNullable();
    table.string('artifact_digest', 80).notNullable();
    table.string('creator_ref', 255).notNullable();
    table.string('source', 16).notNullable().comment('ci | mlflow | demo | portal');
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.unique(['model_ref', 'version'], { indexName: 'mlops_model_versions_ref_version_uq' });
    table.index(['run_id'], 'mlops_model_versions_run_idx');
  });

  await knex.schema.createTable('mlops_deployments', table => {
    table.comment('Where a model version serves, with its current share of traffic');
    table.string('id', 36).primary();
    table
      .string('model_version_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_model_versions')
      .onDelete('CASCADE');
    table.string('environment', 64).notNullable();
    table.string('cluster', 128).notNullable();
    table.string('namespace', 128).notNullable();
    table.float('traffic_weight').notNullable().comment('percent, 0..100');
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table.unique(['model_version_id', 'environment', 'cluster', 'namespace'], {
      indexName: 'mlops_deployments_target_uq',
    });
  });

  await knex.schema.createTable('mlops_aliases', table => {
    table.comment('champion / challenger / standby of a model');
    table.string('model_ref', 255).notNullable();
    table.string('alias', 32).notNullable();
    table
      .string('model_version_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_model_versions')
      .onDelete('CASCADE');
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table.primary(['model_ref', 'alias']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_aliases');
  await knex.schema.dropTable('mlops_deployments');
  await knex.schema.dropTable('mlops_model_versions');
  await knex.schema.dropTable('mlops_run_inputs');
  await knex.schema.dropTable('mlops_training_runs');
  await knex.schema.dropTable('mlops_dataset_versions');
};
