// @ts-check

/**
 * KPIs and cost (PRODUCT.md C9):
 * - Label rollups: per model, version, segment, outcome and bucket (5 minutes, hour, day), how many
 *   predictions made in the bucket received a positive label of the outcome. Raw labels live seven
 *   days; these live as long as the summaries, so a 30-day KPI reads a handful of rows.
 * - How far each model's label rollups are final (labels of younger predictions may still arrive).
 * - Replica samples: the model's serving replicas and their hourly price whenever they change,
 *   integrated over time into the cost per 1,000 predictions.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_label_rollups', table => {
    table.comment('Predictions with a positive label, per model, version, segment, outcome and bucket (5 min, 1 h or 1 day)');
    table.string('model_ref', 255).notNullable();
    table.integer('bucket_ms').notNullable();
    table.bigInteger('bucket_start').notNullable().comment('of the predictions, not of the labels');
    table.string('version', 64).notNullable();
    table.string('segment', 200).notNullable().comment('* for all traffic, else tag=value');
    table.string('outcome', 64).notNullable();
    table.bigInteger('positives').notNullable();
    table.primary(['model_ref', 'bucket_ms', 'bucket_start', 'version', 'segment', 'outcome']);
  });

  await knex.schema.createTable('mlops_label_rollup_state', table => {
    table.comment('Per model and outcome: predictions before settled_until are counted for good');
    table.string('model_ref', 255).notNullable();
    table.string('outcome', 64).notNullable();
    table.bigInteger('settled_until').notNullable();
    table.primary(['model_ref', 'outcome']);
  });

  await knex.schema.createTable('mlops_replica_samples', table => {
    table.comment('Serving replicas of a model and their price, from observed_at until the next sample');
    table.string('model_ref', 255).notNullable();
    table.bigInteger('observed_at').notNullable();
    table.string('environment', 64).notNullable();
    table.float('replicas').notNullable();
    table.double('hourly_cost').notNullable().comment('replicas × the price per replica-hour of the environment');
    table.primary(['model_ref', 'observed_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of ['mlops_replica_samples', 'mlops_label_rollup_state', 'mlops_label_rollups']) {
    await knex.schema.dropTable(table);
  }
};
