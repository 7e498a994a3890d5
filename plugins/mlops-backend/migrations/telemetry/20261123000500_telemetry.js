// @ts-check

/**
 * Telemetry (PRODUCT.md C6, C7, C8): raw prediction events and outcome labels with their
 * idempotency keys, mergeable per-bucket summaries, reference profiles, retrain triggers.
 * Times in these tables are epoch milliseconds (bigint): compact, and the same on every database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_telemetry_batches', table => {
    table.comment('One row per committed ingestion batch: a redelivered batch id is answered from here');
    table.string('batch_id', 128).primary();
    table.string('kind', 16).notNullable().comment('predictions | outcomes | profiles');
    table.bigInteger('received_at').notNullable();
    table.integer('accepted').notNullable();
    table.integer('duplicates').notNullable();
  });

  await knex.schema.createTable('mlops_predictions', table => {
    table.comment('Prediction events within the retention window; the key is the sender and its sequence');
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('request_id', 128).notNullable();
    table.string('query_id', 128).nullable().comment('groups ranked items for NDCG');
    table.bigInteger('occurred_at').notNullable();
    table.text('segment').nullable().comment('JSON tags, such as platform');
    table.double('score').nullable();
    table.double('latency_ms').nullable();
    table.boolean('error').notNullable();
    table.text('features').nullable().comment('JSON; kept for the sampled share of events only');
    table.primary(['source', 'sequence']);
    table.index(['model_ref', 'request_id'], 'mlops_predictions_request_idx');
    table.index(['model_ref', 'occurred_at'], 'mlops_predictions_time_idx');
  });

  await knex.schema.createTable('mlops_outcomes', table => {
    table.comment('Delayed outcome labels, joined to predictions by request id');
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.string('request_id', 128).notNullable();
    table.string('outcome', 64).notNullable();
    table.double('value').notNullable();
    table.bigInteger('occurred_at').notNullable();
    table.primary(['source', 'sequence']);
    table.index(['request_id'], 'mlops_outcomes_request_idx');
    table.index(['occurred_at'], 'mlops_outcomes_time_idx');
  });

  await knex.schema.createTable('mlops_profile_receipts', table => {
    table.comment('Idempotency keys of pre-aggregated profiles sent by serving fleets');
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.bigInteger('received_at').notNullable();
    table.primary(['source', 'sequence']);
  });

  await knex.schema.createTable('mlops_feature_summaries', table => {
    table.comment('Mergeable summary per model, version, segment, feature and 5-minute bucket');
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('segment', 200).notNullable().comment('* for all traffic, else dimension=value');
    table.string('feature', 128).notNullable().comment('a feature, or __events, __score, __latency_ms');
    table.bigInteger('bucket_start').notNullable();
    table.string('layout_version', 64).nullable().comment('version whose reference profile fixed the bins');
    table.text('summary').notNullable().comment('JSON, sparse bins');
    table.primary(['model_ref', 'version', 'segment', 'feature', 'bucket_start']);
    table.index(['model_ref', 'bucket_start'], 'mlops_feature_summaries_time_idx');
  });

  await knex.schema.createTable('mlops_reference_profiles', table => {
    table.comment('Training-data profile of a model version: fixes the bins and is the default reference');
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('feature', 128).notNullable();
    table.string('kind', 16).notNullable().comment('numeric | categorical | log');
    table.text('layout').nullable().comment('JSON bin edges and range (numeric)');
    table.text('summary').notNullable().comment('JSON summary of the training data');
    table.bigInteger('created_at').notNullable();
    table.primary(['model_ref', 'version', 'feature']);
  });

  await knex.schema.createTable('mlops_retrain_triggers', table => {
    table.comment('Every retraining trigger that fired, including those held back by the rate limit');
    table.string('id', 36).primary();
    table.string('model_ref', 255).notNullable();
    table.string('reason', 16).notNullable().comment('schedule | drift | performance | manual');
    table.string('severity', 16).notNullable().comment('normal | critical');
    table.string('status', 24).notNullable().comment('submitted | recorded | suppressed | failed');
    table.boolean('approval_before_canary').notNullable();
    table.text('details').notNullable().comment('JSON: what was measured against which threshold');
    table.text('action').nullable().comment('JSON: workflow name or webhook response');
    table.bigInteger('created_at').notNullable();
    table.index(['model_ref', 'created_at'], 'mlops_retrain_triggers_model_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of [
    'mlops_retrain_triggers',
    'mlops_reference_profiles',
    'mlops_feature_summaries',
    'mlops_profile_receipts',
    'mlops_outcomes',
    'mlops_predictions',
    'mlops_telemetry_batches',
  ]) {
    await knex.schema.dropTable(table);
  }
};
