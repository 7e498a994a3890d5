/*
 * Matured-label evaluation: a model's scores against the outcomes that arrived later.
 */

/** ROC AUC with tied scores counted half (the Mann–Whitney U / (n₊·n₋)). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]]) {
        positives++;
        rankSumPositives += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (!positives || !negatives) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Probabilities are clipped to [ε, 1 − ε] so a confident mistake costs a lot, not infinity. */
export const LOG_LOSS_EPSILON = 1e-15;

export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, scores[i]));
    total -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return total / scores.length;
}

/** Precision and recall of "score ≥ threshold" as the positive prediction. */
export function precisionRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (predicted && labels[i]) tp++;
    else if (predicted) fp++;
    else if (labels[i]) fn++;
  }
  return {
    precision: tp + fp ? tp / (tp + fp) : Number.NaN,
    recall: tp + fn ? tp / (tp + fn) : Number.NaN,
  };
}

/**
 * Mean NDCG@k over queries: gains are the relevance labels, discounts 1/log₂(rank + 1), items
 * ranked by descending score (ties keep arrival order). Queries without any relevant item are
 * skipped (their NDCG is undefined).
 */
export function ndcgAtK(
  queries: ArrayLike<string | number>,
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  k: number,
): number {
  const byQuery = new Map<string | number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const list = byQuery.get(queries[i]) ?? [];
    list.push(i);
    byQuery.set(queries[i], list);
  }
  let sum = 0;
  let counted = 0;
  for (const items of byQuery.values()) {
    const ranked = [...items].sort((a, b) => scores[b] - scores[a]);
    const ideal = items.map(i => relevance[i]).sort((a, b) => b - a);
    let dcg = 0;
    let idcg = 0;
    for (let r = 0; r < Math.min(k, items.length); r++) {
      dcg += relevance[ranked[r]] / Math.log2(r + 2);
      idcg += ideal[r] / Math.log2(r + 2);
    }
    if (idcg > 0) {
      sum += dcg / idcg;
      counted++;
    }
  }
  return counted ? sum / counted : Number.NaN;
}
