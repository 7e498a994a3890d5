// @ts-check

/**
 * Telemetry storage, second shape:
 * - Idempotency by sequence ranges per (stream, source) instead of a key per event: senders
 *   number their records in order, so a batch costs one range lookup, and raw event tables need
 *   no unique key (the cost that kept ingestion below its throughput target).
 * - Summaries at three resolutions (5 minutes, 1 hour, 1 day) written in the same transaction,
 *   so a day or a month is read as a handful of rows; the layout version is part of the key, so
 *   bins of different layouts are never added together.
 * Existing rows are carried over. Hour and day rows exist only for time after this migration:
 * `rollups_since` in mlops_telemetry_state tells readers from when they are complete.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_sequence_ranges', table => {
    table.comment('Record sequences committed per sender: redelivered records inside a range are duplicates');
    table.string('stream', 16).notNullable().comment('predictions | outcomes | profiles');
    table.string('source', 128).notNullable();
    table.bigInteger('first_sequence').notNullable();
    table.bigInteger('last_sequence').notNullable();
    table.bigInteger('newest_at').notNullable().comment('time of the newest record in the range; purged after the raw retention');
    table.primary(['stream', 'source', 'first_sequence']);
    table.index(['stream', 'source', 'last_sequence'], 'mlops_sequence_ranges_last_idx');
  });

  await knex.schema.createTable('mlops_prediction_events', table => {
    table.comment('Prediction events within the raw retention window (idempotency: mlops_sequence_ranges)');
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
    table.index(['model_ref', 'occurred_at'], 'mlops_prediction_events_time_idx');
  });

  await knex.schema.createTable('mlops_outcome_events', table => {
    table.comment('Delayed outcome labels, joined to predictions by request id');
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.string('request_id', 128).notNullable();
    table.string('outcome', 64).notNullable();
    table.double('value').notNullable();
    table.bigInteger('occurred_at').notNullable();
    table.index(['request_id'], 'mlops_outcome_events_request_idx');
    table.index(['occurred_at'], 'mlops_outcome_events_time_idx');
  });

  await knex.schema.createTable('mlops_summaries', table => {
    table.comment('Mergeable summary per model, version, layout, segment, feature and bucket (5 min, 1 h or 1 day)');
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('layout_version', 64).notNullable().comment('version whose reference profile fixed the bins; empty when none');
    table.string('segment', 200).notNullable().comment('* for all traffic, else dimension=value');
    table.string('feature', 128).notNullable().comment('a feature, or __events, __score, __latency_ms');
    table.integer('bucket_ms').notNullable().comment('300000, 3600000 or 86400000');
    table.bigInteger('bucket_start').notNullable();
    table.text('summary').notNullable().comment('JSON, sparse bins');
    table.primary(['model_ref', 'bucket_ms', 'bucket_start', 'version', 'layout_version', 'segment', 'feature']);
  });

  await knex.schema.createTable('mlops_telemetry_state', table => {
    table.comment('Small facts about the telemetry tables themselves');
    table.string('key', 64).primary();
    table.text('value').notNullable();
  });

  const predictionColumns = ['source', 'sequence', 'model_ref', 'version', 'request_id', 'query_id', 'occurred_at', 'segment', 'score', 'latency_ms', 'error', 'features'];
  await knex.raw(`insert into mlops_prediction_events (${predictionColumns}) select ${predictionColumns} from mlops_predictions`);
  const outcomeColumns = ['source', 'sequence', 'request_id', 'outcome', 'value', 'occurred_at'];
  await knex.raw(`insert into mlops_outcome_events (${outcomeColumns}) select ${outcomeColumns} from mlops_outcomes`);
  // One range per carried-over key: correct, and merged with its neighbours as new batches arrive.
  const rangeColumns = 'stream, source, first_sequence, last_sequence, newest_at';
  await knex.raw(`insert into mlops_sequence_ranges (${rangeColumns}) select 'predictions', source, sequence, sequence, occurred_at from mlops_predictions`);
  await knex.raw(`insert into mlops_sequence_ranges (${rangeColumns}) select 'outcomes', source, sequence, sequence, occurred_at from mlops_outcomes`);
  await knex.raw(`insert into mlops_sequence_ranges (${rangeColumns}) select 'profiles', source, sequence, sequence, received_at from mlops_profile_receipts`);
  await knex.raw(
    `insert into mlops_summaries (model_ref, version, layout_version, segment, feature, bucket_ms, bucket_start, summary)
     select model_ref, version, coalesce(layout_version, ''), segment, feature, 300000, bucket_start, summary from mlops_feature_summaries`,
  );

  const [{ count }] = await knex('mlops_feature_summaries').count({ count: '*' });
  const day = 86_400_000;
  const rollupsSince = Number(count) > 0 ? Math.floor(Date.now() / day) * day + day : 0;
  await knex('mlops_telemetry_state').insert({ key: 'rollups_since', value: String(rollupsSince) });

  for (const table of ['mlops_feature_summaries', 'mlops_profile_receipts', 'mlops_outcomes', 'mlops_predictions']) {
    await knex.schema.dropTable(table);
  }
};

/**
 * Back to per-event keys: the previous tables come back empty (their keys cannot be rebuilt from
 * ranges without the events).
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  for (const table of ['mlops_telemetry_state', 'mlops_summaries', 'mlops_outcome_events', 'mlops_prediction_events', 'mlops_sequence_ranges']) {
    await knex.schema.dropTable(table);
  }
  await knex.schema.createTable('mlops_predictions', table => {
    for (const c of ['source', 'model_ref', 'version', 'request_id']) table.string(c, 255).notNullable();
    table.bigInteger('sequence').notNullable();
    table.string('query_id', 128).nullable();
    table.bigInteger('occurred_at').notNullable();
    table.text('segment').nullable();
    table.double('score').nullable();
    table.double('latency_ms').nullable();
    table.boolean('error').notNullable();
    table.text('features').nullable();
    table.primary(['source', 'sequence']);
  });
  await knex.schema.createTable('mlops_outcomes', table => {
    for (const c of ['source', 'request_id', 'outcome']) table.string(c, 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.double('value').notNullable();
    table.bigInteger('occurred_at').notNullable();
    table.primary(['source', 'sequence']);
  });
  await knex.schema.createTable('mlops_profile_receipts', table => {
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.bigInteger('received_at').notNullable();
    table.primary(['source', 'sequence']);
  });
  await knex.schema.createTable('mlops_feature_summaries', table => {
    for (const c of ['model_ref', 'version', 'segment', 'feature']) table.string(c, 255).notNullable();
    table.bigInteger('bucket_start').notNullable();
    table.string('layout_version', 64).nullable();
    table.text('summary').notNullable();
    table.primary(['model_ref', 'version', 'segment', 'feature', 'bucket_start']);
  });
};
