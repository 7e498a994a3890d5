// @ts-check

/**
 * Label counts per minute instead of per 5-minute bucket. A canary step that begins inside a bucket
 * counts that bucket's part from raw rows (nothing from before the step may be counted): at 2.2
 * million predictions in a window, up to 5 minutes of raw rows took the analysis tick past its
 * 50 ms; per minute it is at most half a minute (the store counts the smaller side of the minute).
 *
 * The counts of the time raw events still cover are counted again per minute, from the 5-minute
 * bucket of the oldest stored prediction on. What a bucket counted beyond its stored predictions
 * (those purged before it, in the oldest bucket) stays at the bucket's first minute, so nothing
 * counted is lost; counts older than that stay in their 5-minute rows, read as the minute their
 * bucket begins with: exact for any window that begins and ends on a 5-minute boundary.
 * Stop every replica for this upgrade, as for the label counts themselves.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const [oldest] = await knex('mlops_prediction_events').min({ at: 'occurred_at' });
  if (oldest?.at === null || oldest?.at === undefined) return;
  const from = Math.floor(Number(oldest.at) / 300000) * 300000;
  /** @param {{ model_ref: string; outcome: string; version: string; bucket_start: number | string }} r */
  const key = r => `${r.model_ref}\u0000${r.outcome}\u0000${r.version}\u0000${Number(r.bucket_start)}`;
  const before = await knex('mlops_label_counts').where('bucket_start', '>=', from).select('model_ref', 'outcome', 'version', 'bucket_start', 'count');
  await knex('mlops_label_counts').where('bucket_start', '>=', from).delete();
  const minute = '(p.occurred_at / 60000) * 60000';
  await knex.raw(
    `insert into mlops_label_counts (model_ref, outcome, version, bucket_start, count)
     select p.model_ref, '__predictions', p.version, ${minute}, count(*) from mlops_prediction_events p
     where p.occurred_at >= ? group by p.model_ref, p.version, ${minute}`,
    [from],
  );
  await knex.raw(
    `insert into mlops_label_counts (model_ref, outcome, version, bucket_start, count)
     select p.model_ref, c.outcome, p.version, ${minute}, count(*)
     from mlops_label_claims c join mlops_prediction_events p on p.source = c.source and p.sequence = c.sequence
     where p.occurred_at >= ? group by p.model_ref, c.outcome, p.version, ${minute}`,
    [from],
  );
  // Per 5-minute bucket, what the minutes now count; the rest of what the bucket counted stays.
  const bucket = '(bucket_start / 300000) * 300000';
  const recounted = new Map(
    (
      await knex('mlops_label_counts')
        .where('bucket_start', '>=', from)
        .select('model_ref', 'outcome', 'version', knex.raw(`${bucket} as bucket_start`))
        .sum({ count: 'count' })
        .groupBy('model_ref', 'outcome', 'version', knex.raw(bucket))
    ).map(r => [key(r), Number(r.count)]),
  );
  const counted = new Map();
  for (const r of before) {
    const row = { model_ref: r.model_ref, outcome: r.outcome, version: r.version, bucket_start: Math.floor(Number(r.bucket_start) / 300000) * 300000, count: 0 };
    const total = counted.get(key(row)) ?? row;
    total.count += Number(r.count);
    counted.set(key(row), total);
  }
  const remainders = [...counted.values()].map(r => ({ ...r, count: r.count - (recounted.get(key(r)) ?? 0) })).filter(r => r.count > 0);
  for (let i = 0; i < remainders.length; i += 500) {
    await knex('mlops_label_counts')
      .insert(remainders.slice(i, i + 500))
      .onConflict(['model_ref', 'outcome', 'version', 'bucket_start'])
      .merge({ count: knex.raw('?? + ??', ['mlops_label_counts.count', 'excluded.count']) });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  // Back to 5-minute buckets: each bucket's minutes added up.
  const bucket = '(bucket_start / 300000) * 300000';
  const rows = await knex('mlops_label_counts')
    .select('model_ref', 'outcome', 'version', knex.raw(`${bucket} as bucket_start`))
    .sum({ count: 'count' })
    .groupBy('model_ref', 'outcome', 'version', knex.raw(bucket));
  await knex('mlops_label_counts').delete();
  for (let i = 0; i < rows.length; i += 500) {
    await knex('mlops_label_counts').insert(
      rows.slice(i, i + 500).map(r => ({ model_ref: r.model_ref, outcome: r.outcome, version: r.version, bucket_start: Number(r.bucket_start), count: Number(r.count) })),
    );
  }
};
