// @ts-check

/**
 * Label counts kept as telemetry arrives, so the canary's analysis tick and target drift read a
 * few rows per 5-minute bucket instead of joining every raw prediction with its labels (at 2.2
 * million predictions that join took 1.1 s; the tick must stay within 50 ms).
 *
 * - `mlops_label_counts`: per model, version and 5-minute bucket, the predictions stored raw
 *   (outcome `__predictions`) and, per outcome, those with a positive label. Kept as long as the
 *   daily summaries: a bucket's counts are final once its predictions leave the raw retention.
 * - `mlops_label_claims`: which prediction (source, sequence) a positive label of an outcome was
 *   already counted for, so a label and its prediction each look for the other after they commit
 *   (whichever commits last finds the pair) and the pair is counted once.
 * - An index on predictions' request ids, for the lookup from a label.
 *
 * Predictions and labels already stored are counted here. Stop every replica for this upgrade: one
 * still running the previous version would store telemetry that is never counted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_prediction_events', table => {
    // Looked up by equality only: on PostgreSQL a hash index, which keeps 4-byte codes, not the ids.
    const postgres = String(knex.client.config.client).includes('pg');
    table.index(['request_id'], 'mlops_prediction_events_request_idx', postgres ? { indexType: 'hash' } : undefined);
  });
  await knex.schema.createTable('mlops_label_counts', table => {
    table.comment('Predictions (outcome __predictions) and positively labelled predictions per model, version, outcome and 5-minute bucket');
    table.string('model_ref', 255).notNullable();
    table.string('outcome', 64).notNullable();
    table.string('version', 64).notNullable();
    table.bigInteger('bucket_start').notNullable();
    table.bigInteger('count').notNullable();
    table.primary(['model_ref', 'outcome', 'version', 'bucket_start']);
  });
  await knex.schema.createTable('mlops_label_claims', table => {
    table.comment('Predictions whose positive label of an outcome is counted in mlops_label_counts; purged with the raw events');
    table.string('source', 128).notNullable();
    table.bigInteger('sequence').notNullable();
    table.string('outcome', 64).notNullable();
    table.bigInteger('occurred_at').notNullable().comment("the prediction's time");
    table.primary(['source', 'sequence', 'outcome']);
    table.index(['occurred_at'], 'mlops_label_claims_time_idx');
  });

  const bucket = '(p.occurred_at / 300000) * 300000';
  await knex.raw(
    `insert into mlops_label_counts (model_ref, outcome, version, bucket_start, count)
     select p.model_ref, '__predictions', p.version, ${bucket}, count(*) from mlops_prediction_events p
     group by p.model_ref, p.version, ${bucket}`,
  );
  const labelled = `select distinct p.source, p.sequence, p.model_ref, p.version, p.occurred_at, o.outcome
     from mlops_prediction_events p join mlops_outcome_events o on o.request_id = p.request_id where o.value > 0`;
  await knex.raw(`insert into mlops_label_claims (source, sequence, outcome, occurred_at) select source, sequence, outcome, occurred_at from (${labelled}) l`);
  await knex.raw(
    `insert into mlops_label_counts (model_ref, outcome, version, bucket_start, count)
     select p.model_ref, p.outcome, p.version, ${bucket}, count(*) from (${labelled}) p
     group by p.model_ref, p.outcome, p.version, ${bucket}`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_label_claims');
  await knex.schema.dropTable('mlops_label_counts');
  await knex.schema.alterTable('mlops_prediction_events', table => {
    table.dropIndex(['request_id'], 'mlops_prediction_events_request_idx');
  });
};
