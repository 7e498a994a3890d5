// @ts-check

/**
 * Summaries are stored as bytes (src/stats/summaryCodec.ts: varints, the gaps between occupied
 * bins), about a quarter of their JSON text. Rows stored before stay JSON and are still read; a
 * row becomes bytes when a commit next merges into it. PostgreSQL needs the column as bytea (the
 * JSON text kept as its UTF-8 bytes); SQLite keeps bytes in the text column as a BLOB.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (String(knex.client.config.client).includes('pg')) {
    await knex.raw(`alter table mlops_summaries alter column summary type bytea using convert_to(summary, 'UTF8')`);
    await knex.raw(`comment on column mlops_summaries.summary is 'bytes of src/stats/summaryCodec.ts, or JSON text as UTF-8'`);
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (String(knex.client.config.client).includes('pg')) {
    // Rows in the byte form cannot become text: the codec's bytes are not UTF-8.
    await knex('mlops_summaries').whereRaw('get_byte(summary, 0) <> 123').delete();
    await knex.raw(`alter table mlops_summaries alter column summary type text using convert_from(summary, 'UTF8')`);
  }
};
