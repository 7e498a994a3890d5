import { sortedCopy } from './quantile';
import { referenceQuantileEdges, std } from './exact';

/*
 * Mergeable summaries: what is stored per model, version, feature, segment and 5-minute bucket,
 * and what serving fleets may send instead of raw events. Merging is addition, so a window's
 * summary is the sum of its buckets' and a query costs O(bins), not O(events).
 */

/** Fine bins per numeric feature. A multiple of 10 so PSI's reference deciles are unions of bins. */
export const NUMERIC_BINS = 1000;

/**
 * The bin layout of a numeric feature, fixed by its reference: interior edges at the reference's
 * quantiles k/NUMERIC_BINS, the first and last bins open-ended (under/overflow), plus the
 * reference's range and spread.
 */
export type NumericLayout = {
  edges: number[];
  min: number;
  max: number;
  mean: number;
  std: number;
};

export function layoutFromSample(sample: ArrayLike<number>, bins = NUMERIC_BINS): NumericLayout {
  const sorted = sortedCopy(sample);
  let mean = 0;
  for (let i = 0; i < sorted.length; i++) mean += (sorted[i] - mean) / (i + 1);
  return {
    edges: Array.from(referenceQuantileEdges(sorted, bins)),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean,
    std: std(sorted),
  };
}

/** Counts shared by every feature summary. */
export type PresenceCounts = {
  /** Events that carried the feature with null. */
  nulls: number;
  /** Events that did not carry the feature at all. */
  missing: number;
  /** Values of the wrong type (a string for a numeric feature, a number for a categorical one). */
  typeMismatches: number;
};

export type NumericSummary = PresenceCounts & {
  kind: 'numeric';
  /** Non-null numeric values. */
  n: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
  /** Values below the reference's minimum / above its maximum. */
  belowRange: number;
  aboveRange: number;
  /** Dense counts per layout bin (edges.length + 1 of them). */
  counts: Float64Array;
  /**
   * Of each bin's count, the values exactly equal to its upper edge (sparse: bin → count). Rounded
   * and discrete features put most of their mass on a few repeated values, and the reference's
   * quantile edges land on them: kept apart, a bin's CDF is known on both sides of its edge, so KS
   * and Wasserstein from summaries see the ties as the exact statistics do.
   */
  ties: Map<number, number>;
  /**
   * A tail sketch: the values inside the open outer bins by their distance below the first edge
   * (lowTail) or above the last (highTail), in log bins of relative accuracy LOG_ACCURACY. The
   * outer bins reach to the extremes, and on heavy or widened tails nearly all of the distance
   * between two distributions lies there: with the sketch it is measured, not interpolated. Empty in
   * rows stored before it was kept.
   */
  lowTail: Map<number, number>;
  highTail: Map<number, number>;
};

/** A numeric summary but for its bin counts. */
export type NumericMoments = Omit<NumericSummary, 'counts'>;

export type CategoricalSummary = PresenceCounts & {
  kind: 'categorical';
  n: number;
  counts: Map<string, number>;
};

/** Log-spaced bins for positive quantities (latency, scores), relative accuracy LOG_ACCURACY. */
export type LogSummary = {
  kind: 'log';
  n: number;
  zeros: number;
  sum: number;
  min: number;
  max: number;
  counts: Map<number, number>;
};

export type FeatureSummary = NumericSummary | CategoricalSummary;
export type AnySummary = NumericSummary | CategoricalSummary | LogSummary;

const presence = (): PresenceCounts => ({ nulls: 0, missing: 0, typeMismatches: 0 });

function emptyMoments(): NumericMoments {
  return {
    kind: 'numeric',
    ...presence(),
    n: 0,
    sum: 0,
    sumSquares: 0,
    min: Infinity,
    max: -Infinity,
    belowRange: 0,
    aboveRange: 0,
    ties: new Map(),
    lowTail: new Map(),
    highTail: new Map(),
  };
}

export function emptyNumeric(layout: NumericLayout): NumericSummary {
  return { ...emptyMoments(), counts: new Float64Array(layout.edges.length + 1) };
}

export function emptyCategorical(): CategoricalSummary {
  return { kind: 'categorical', ...presence(), n: 0, counts: new Map() };
}

/** Distinct categories kept per summary; the rest are counted under OTHER_CATEGORY. */
export const MAX_CATEGORIES = 500;
export const OTHER_CATEGORY = '__other__';

/**
 * Finds a value's bin in O(1): a uniform grid over the edges' range remembers, per cell, how many
 * edges fall in earlier cells; a step or two along the edges finishes the job. The cell of a value
 * is computed by one monotone expression for edges and values alike, so every edge counted for a
 * cell lies strictly below any value in that cell: the answer is exactly `binIndex(edges, x)`
 * (tested against it), several times faster than bisecting 999 edges.
 */
class BinLocator {
  readonly edges: Float64Array;
  readonly low: number;
  readonly scale: number;
  readonly lastCell: number;
  readonly cells: Int32Array;

  constructor(edges: number[]) {
    this.edges = Float64Array.from(edges);
    const n = edges.length;
    this.low = edges[0];
    const span = edges[n - 1] - edges[0];
    this.lastCell = span > 0 ? 16 * (n + 1) : 1;
    this.scale = span > 0 ? this.lastCell / span : 0;
    const perCell = new Int32Array(this.lastCell + 2);
    for (const e of this.edges) perCell[this.cellOf(e) + 1]++;
    this.cells = new Int32Array(this.lastCell + 1);
    let below = 0;
    for (let c = 0; c <= this.lastCell; c++) {
      below += perCell[c];
      this.cells[c] = below;
    }
  }

  cellOf(x: number): number {
    const position = (x - this.low) * this.scale;
    if (!(position > 0)) return 0;
    // Clamped before truncation: far-out values must not overflow the 32-bit conversion.
    return position >= this.lastCell ? this.lastCell : position | 0;
  }

  locate(x: number): number {
    const edges = this.edges;
    const last = edges.length;
    let bin = this.cells[this.cellOf(x)];
    while (bin < last && edges[bin] < x) bin++;
    return bin;
  }
}

const locators = new WeakMap<NumericLayout, BinLocator>();

export function locatorOf(layout: NumericLayout): BinLocator {
  let locator = locators.get(layout);
  if (!locator) {
    locator = new BinLocator(layout.edges);
    locators.set(layout, locator);
  }
  return locator;
}

export function addNumeric(summary: NumericSummary, layout: NumericLayout, value: number) {
  addNumericToBin(summary, layout, value, locatorOf(layout).locate(value));
}

/** addNumeric with the bin already located: one lookup serves every segment an event is in. */
export function addNumericToBin(summary: NumericSummary, layout: NumericLayout, value: number, bin: number) {
  summary.counts[bin]++;
  addNumericBesideCounts(summary, layout, value, bin);
}

/** Everything addNumericToBin records but the bin's count: moments, range, ties and tail sketches. */
function addNumericBesideCounts(summary: NumericMoments, layout: NumericLayout, value: number, bin: number) {
  summary.n++;
  summary.sum += value;
  summary.sumSquares += value * value;
  if (value < summary.min) summary.min = value;
  if (value > summary.max) summary.max = value;
  if (value < layout.min) summary.belowRange++;
  else if (value > layout.max) summary.aboveRange++;
  const edges = layout.edges;
  if (bin === edges.length) increment(summary.highTail, tailBin(value - edges[bin - 1]));
  else if (edges[bin] === value) increment(summary.ties, bin);
  else if (bin === 0) increment(summary.lowTail, tailBin(edges[0] - value));
}

/** The tail sketch's log bin of a distance beyond an outer edge (one that overflows counts as the largest). */
export function tailBin(distance: number): number {
  return logBinIndex(Math.min(distance, Number.MAX_VALUE));
}

function increment(counts: Map<number, number>, key: number, by = 1) {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * Adds many values at once: the serving-side and benchmark path. Two tight passes (bins, then
 * moments) run faster than one loop doing both.
 */
export function addNumericValues(summary: NumericSummary, layout: NumericLayout, values: ArrayLike<number>) {
  const { edges, low: gridLow, scale, lastCell, cells } = locatorOf(layout);
  const last = edges.length;
  const counts = summary.counts;
  // Ties counted densely while the values go by (a rounded feature ties on nearly every value).
  const ties = new Float64Array(last);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const position = (v - gridLow) * scale;
    let cell = 0;
    if (position > 0) cell = position >= lastCell ? lastCell : position | 0;
    let bin = cells[cell];
    while (bin < last && edges[bin] < v) bin++;
    counts[bin]++;
    if (bin === last) increment(summary.highTail, tailBin(v - edges[last - 1]));
    else if (edges[bin] === v) ties[bin]++;
    else if (bin === 0) increment(summary.lowTail, tailBin(edges[0] - v));
  }
  for (let bin = 0; bin < last; bin++) if (ties[bin]) increment(summary.ties, bin, ties[bin]);
  let { sum, sumSquares, min, max, belowRange, aboveRange } = summary;
  const low = layout.min;
  const high = layout.max;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v < low) belowRange++;
    else if (v > high) aboveRange++;
  }
  Object.assign(summary, { n: summary.n + values.length, sum, sumSquares, min, max, belowRange, aboveRange });
}

export function addCategory(summary: CategoricalSummary, value: string, count = 1) {
  summary.n += count;
  const key = summary.counts.has(value) || summary.counts.size < MAX_CATEGORIES ? value : OTHER_CATEGORY;
  summary.counts.set(key, (summary.counts.get(key) ?? 0) + count);
}

/** Counts a value a numeric feature cannot bin (absent, null, or not a finite number). */
export function countUnbinnable(summary: PresenceCounts, value: unknown) {
  if (value === undefined) summary.missing++;
  else if (value === null) summary.nulls++;
  else summary.typeMismatches++;
}

/** Classifies one event's value of a feature into the summary. */
export function addFeatureValue(summary: FeatureSummary, layout: NumericLayout | undefined, value: unknown) {
  if (value === undefined) summary.missing++;
  else if (value === null) summary.nulls++;
  else if (summary.kind === 'numeric') {
    if (typeof value === 'number' && Number.isFinite(value)) addNumeric(summary, layout!, value);
    else summary.typeMismatches++;
  } else if (typeof value === 'string') addCategory(summary, value);
  else if (typeof value === 'boolean') addCategory(summary, String(value));
  else summary.typeMismatches++;
}

export const LOG_ACCURACY = 0.01;
const GAMMA = (1 + LOG_ACCURACY) / (1 - LOG_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this count as zero in a log summary. */
export const LOG_MIN_VALUE = 1e-9;

export function emptyLog(): LogSummary {
  return { kind: 'log', n: 0, zeros: 0, sum: 0, min: Infinity, max: -Infinity, counts: new Map() };
}

/**
 * γ^k by squaring: the same correctly rounded multiplications in every language, so the backend
 * and every client (clients/python) agree on a bin's boundary to the last bit.
 */
function gammaPower(k: number): number {
  let base = GAMMA;
  let e = Math.abs(k);
  let result = 1;
  while (e > 0) {
    if (e % 2 === 1) result *= base;
    base *= base;
    e = Math.floor(e / 2);
  }
  return k < 0 ? 1 / result : result;
}

/**
 * Log bin k holds (γ^(k-1), γ^k]. Within a hair of a boundary, two libraries' logarithms may round
 * to either side (V8's and glibc's differ by an ulp on some values): there the value is compared
 * with the boundary itself, which every implementation computes alike.
 */
export function logBinIndex(value: number): number {
  const r = Math.log(value) / LOG_GAMMA;
  const nearest = Math.floor(r + 0.5);
  if (Math.abs(r - nearest) < 1e-6) return value <= gammaPower(nearest) ? nearest : nearest + 1;
  return Math.ceil(r);
}

/** The upper bound of a log bin: it holds the values in (logBinUpper(index − 1), logBinUpper(index)]. */
export function logBinUpper(index: number): number {
  return gammaPower(index);
}

/** The value a log bin stands for: within LOG_ACCURACY (relative) of every value in it. */
export function logBinValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

/** `index` may be given when the value's bin is already known (it is logBinIndex(value)). */
export function addLog(summary: LogSummary, value: number, index?: number) {
  if (!Number.isFinite(value) || value < 0) return;
  summary.n++;
  summary.sum += value;
  if (value < summary.min) summary.min = value;
  if (value > summary.max) summary.max = value;
  if (value <= LOG_MIN_VALUE) {
    summary.zeros++;
    return;
  }
  const bin = index ?? logBinIndex(value);
  summary.counts.set(bin, (summary.counts.get(bin) ?? 0) + 1);
}

/** Quantile q of a log summary, within LOG_ACCURACY relative error of the sample's (rank q·(n-1)). */
export function logQuantile(summary: LogSummary, q: number): number {
  if (summary.n === 0) return Number.NaN;
  const rank = q * (summary.n - 1);
  if (rank < summary.zeros) return 0;
  let seen = summary.zeros;
  const indices = [...summary.counts.keys()].sort((a, b) => a - b);
  for (const index of indices) {
    seen += summary.counts.get(index)!;
    if (seen > rank) {
      return Math.min(summary.max, Math.max(summary.min, logBinValue(index)));
    }
  }
  return summary.max;
}

export function mergeInto(target: AnySummary, source: AnySummary) {
  if (target.kind !== source.kind) throw new Error(`cannot merge ${source.kind} into ${target.kind}`);
  if (target.kind === 'log') {
    const s = source as LogSummary;
    target.n += s.n;
    target.zeros += s.zeros;
    target.sum += s.sum;
    target.min = Math.min(target.min, s.min);
    target.max = Math.max(target.max, s.max);
    for (const [k, v] of s.counts) target.counts.set(k, (target.counts.get(k) ?? 0) + v);
    return;
  }
  const s = source as FeatureSummary;
  target.nulls += s.nulls;
  target.missing += s.missing;
  target.typeMismatches += s.typeMismatches;
  if (target.kind === 'numeric') {
    const n = s as NumericSummary;
    if (n.counts.length !== target.counts.length) throw new Error('numeric summaries have different layouts');
    target.n += n.n;
    target.sum += n.sum;
    target.sumSquares += n.sumSquares;
    target.min = Math.min(target.min, n.min);
    target.max = Math.max(target.max, n.max);
    target.belowRange += n.belowRange;
    target.aboveRange += n.aboveRange;
    for (let i = 0; i < n.counts.length; i++) target.counts[i] += n.counts[i];
    for (const [bin, count] of n.ties) increment(target.ties, bin, count);
    for (const [bin, count] of n.lowTail) increment(target.lowTail, bin, count);
    for (const [bin, count] of n.highTail) increment(target.highTail, bin, count);
  } else {
    const c = s as CategoricalSummary;
    for (const [k, v] of c.counts) addCategory(target, k, v);
  }
}

/** A reference-profile numeric summary straight from a sample (the training data's). */
export function numericSummaryFromSample(sample: ArrayLike<number>, layout: NumericLayout): NumericSummary {
  const summary = emptyNumeric(layout);
  addNumericValues(summary, layout, sample);
  return summary;
}

/*
 * Wire and storage form: JSON. Numeric bins are sparse ([bin, count] pairs) while few are used,
 * so a quiet 5-minute bucket stays small, and dense (counts from bin 0, trailing zeros left out)
 * once many are, as in hour and day rows: six times faster to parse and a third the size.
 */
export type NumericBins = { bins: Array<[number, number]>; counts?: undefined } | { counts: number[]; bins?: undefined };

export type EncodedSummary =
  | (PresenceCounts & {
      kind: 'numeric';
      n: number;
      sum: number;
      sumSquares: number;
      min: number | null;
      max: number | null;
      belowRange: number;
      aboveRange: number;
      /** [bin, count] of values equal to the bin's upper edge, by bin; absent when none. */
      ties?: Array<[number, number]>;
      /** The tail sketches, [log bin, count] by log bin; absent when empty. */
      lowTail?: Array<[number, number]>;
      highTail?: Array<[number, number]>;
    } & NumericBins)
  | (PresenceCounts & { kind: 'categorical'; n: number; categories: Record<string, number> })
  | { kind: 'log'; n: number; zeros: number; sum: number; min: number | null; max: number | null; bins: Array<[number, number]> }
  | EventCounts;

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

const byBin = (a: [number, number], b: [number, number]) => a[0] - b[0];

/** A sparse count map as sorted [key, count] pairs under `name`, left out when empty. */
function sparse<K extends string>(name: K, counts: Map<number, number>): { [key in K]?: Array<[number, number]> } {
  return counts.size ? ({ [name]: [...counts.entries()].sort(byBin) } as { [key in K]: Array<[number, number]> }) : {};
}

/** Sparse or dense, whichever is smaller: dense once a third of the bins are used. */
function numericBins(counts: ArrayLike<number>): NumericBins {
  let used = 0;
  let end = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]) {
      used++;
      end = i + 1;
    }
  }
  if (used * 3 > end) {
    // A plain loop: Array.from with a mapping function costs several times more (hot in ingestion).
    const dense = new Array<number>(end);
    for (let i = 0; i < end; i++) dense[i] = counts[i];
    return { counts: dense };
  }
  const bins: Array<[number, number]> = [];
  for (let i = 0; i < end; i++) if (counts[i]) bins.push([i, counts[i]]);
  return { bins };
}

function sortedPairs(counts: Map<number, number>): Array<[number, number]> {
  return [...counts.entries()].sort(byBin);
}

function encodeNumeric(summary: NumericMoments, bins: NumericBins): EncodedSummary {
  const encoded: EncodedSummary = {
    kind: 'numeric',
    nulls: summary.nulls,
    missing: summary.missing,
    typeMismatches: summary.typeMismatches,
    n: summary.n,
    sum: summary.sum,
    sumSquares: summary.sumSquares,
    min: finiteOrNull(summary.min),
    max: finiteOrNull(summary.max),
    belowRange: summary.belowRange,
    aboveRange: summary.aboveRange,
    ...bins,
  };
  // Set only when present: absent keys, not empty lists, as before.
  if (summary.ties.size) encoded.ties = sortedPairs(summary.ties);
  if (summary.lowTail.size) encoded.lowTail = sortedPairs(summary.lowTail);
  if (summary.highTail.size) encoded.highTail = sortedPairs(summary.highTail);
  return encoded;
}

/**
 * A numeric summary built at ingestion. It keeps its first values as they come (with their bins)
 * and becomes a NumericSummary once they are a tenth of the layout's bins: a batch spread over a
 * hundred buckets gives each bucket's summary a handful of values, and a dense array and four maps
 * per summary (hundreds of summaries per batch, all alive until the batch commits) cost more than
 * the values. Encoded, it equals the NumericSummary of the same values.
 */
export type NumericTally = PresenceCounts & { kind: 'numeric'; values: number[]; bins: number[]; summary: NumericSummary | null };

export function emptyTally(): NumericTally {
  return { kind: 'numeric', ...presence(), values: [], bins: [], summary: null };
}

export function addToTally(tally: NumericTally, layout: NumericLayout, value: number, bin: number) {
  if (tally.summary) {
    addNumericToBin(tally.summary, layout, value, bin);
    return;
  }
  tally.values.push(value);
  tally.bins.push(bin);
  if (tally.values.length * 10 > layout.edges.length + 1) tally.summary = tallied(tally, layout);
}

/** The values kept so far as a NumericSummary (presence counts aside). */
function tallied(tally: NumericTally, layout: NumericLayout): NumericSummary {
  const summary = emptyNumeric(layout);
  for (let k = 0; k < tally.values.length; k++) addNumericToBin(summary, layout, tally.values[k], tally.bins[k]);
  tally.values = [];
  tally.bins = [];
  return summary;
}

export function encodeTally(tally: NumericTally, layout: NumericLayout): EncodedSummary {
  const presenceCounts = { nulls: tally.nulls, missing: tally.missing, typeMismatches: tally.typeMismatches };
  if (tally.summary) return encodeNumeric({ ...tally.summary, ...presenceCounts }, numericBins(tally.summary.counts));
  const moments: NumericMoments = { ...emptyMoments(), ...presenceCounts };
  for (let k = 0; k < tally.values.length; k++) addNumericBesideCounts(moments, layout, tally.values[k], tally.bins[k]);
  const sorted = tally.bins.slice().sort((a, b) => a - b);
  const pairs: Array<[number, number]> = [];
  for (const bin of sorted) {
    const last = pairs[pairs.length - 1];
    if (last && last[0] === bin) last[1]++;
    else pairs.push([bin, 1]);
  }
  const end = pairs.length ? pairs[pairs.length - 1][0] + 1 : 0;
  // The same form numericBins chooses for the same counts.
  return encodeNumeric(moments, pairs.length * 3 > end ? { counts: denseOf(pairs) } : { bins: pairs });
}

export function encodeSummary(summary: AnySummary): EncodedSummary {
  if (summary.kind === 'numeric') return encodeNumeric(summary, numericBins(summary.counts));
  if (summary.kind === 'categorical') {
    return {
      kind: 'categorical',
      nulls: summary.nulls,
      missing: summary.missing,
      typeMismatches: summary.typeMismatches,
      n: summary.n,
      categories: Object.fromEntries(summary.counts),
    };
  }
  return {
    kind: 'log',
    n: summary.n,
    zeros: summary.zeros,
    sum: summary.sum,
    min: finiteOrNull(summary.min),
    max: finiteOrNull(summary.max),
    bins: [...summary.counts.entries()].sort(byBin),
  };
}

/** Decodes a stored summary; numeric ones need their layout's bin count. */
export function decodeSummary(encoded: EncodedSummary, binCount?: number): AnySummary {
  if (encoded.kind === 'events') throw new Error('event counts are not a distribution summary');
  if (encoded.kind === 'numeric') {
    const { bins, counts: dense, ties, lowTail, highTail, ...rest } = encoded;
    const counts = new Float64Array(binCount ?? NUMERIC_BINS);
    if (dense) {
      if (dense.length > counts.length) throw new Error(`bin ${dense.length - 1} is outside the layout`);
      counts.set(dense);
    }
    for (const [i, c] of bins ?? []) {
      if (i < 0 || i >= counts.length) throw new Error(`bin ${i} is outside the layout`);
      counts[i] += c;
    }
    for (const [i] of ties ?? []) {
      if (i < 0 || i >= counts.length - 1) throw new Error(`tied bin ${i} is outside the layout`);
    }
    return {
      ...rest,
      min: encoded.min ?? Infinity,
      max: encoded.max ?? -Infinity,
      counts,
      ties: new Map(ties ?? []),
      lowTail: new Map(lowTail ?? []),
      highTail: new Map(highTail ?? []),
    };
  }
  if (encoded.kind === 'categorical') {
    return { ...encoded, counts: new Map(Object.entries(encoded.categories)) } as CategoricalSummary;
  }
  return {
    ...encoded,
    min: encoded.min ?? Infinity,
    max: encoded.max ?? -Infinity,
    counts: new Map(encoded.bins),
  };
}

function sortedBins(bins: Array<[number, number]>) {
  for (let i = 1; i < bins.length; i++) if (bins[i - 1][0] >= bins[i][0]) return [...bins].sort(byBin);
  return bins;
}

/** Adds numeric bins in either form; the result takes the smaller form. */
function mergeNumericBins(a: NumericBins, b: NumericBins): NumericBins {
  if (!a.counts && !b.counts) {
    const bins = mergeSparse(a.bins!, b.bins!);
    const end = bins.length ? bins[bins.length - 1][0] + 1 : 0;
    return bins.length * 3 > end ? numericBins(denseOf(bins)) : { bins };
  }
  const left = a.counts ?? denseOf(a.bins!);
  const right = b.counts ?? denseOf(b.bins!);
  const sum = left.length >= right.length ? [...left] : [...right];
  const other = left.length >= right.length ? right : left;
  for (let i = 0; i < other.length; i++) sum[i] += other[i];
  return { counts: sum };
}

function denseOf(bins: Array<[number, number]>): number[] {
  let end = 0;
  for (const [i] of bins) end = Math.max(end, i + 1);
  const counts = new Array<number>(end).fill(0);
  for (const [i, c] of bins) counts[i] += c;
  return counts;
}

/** Adds sparse bin lists: a linear merge of index-sorted lists (stored ones are sorted). */
function mergeSparse(left: Array<[number, number]>, right: Array<[number, number]>): Array<[number, number]> {
  const a = sortedBins(left);
  const b = sortedBins(right);
  const merged: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const last = merged[merged.length - 1];
    let next: [number, number];
    if (j >= b.length || (i < a.length && a[i][0] <= b[j][0])) next = a[i++];
    else next = b[j++];
    if (last && last[0] === next[0]) last[1] += next[1];
    else merged.push([next[0], next[1]]);
  }
  return merged;
}

function mergePairs<K extends string>(name: K, a?: Array<[number, number]>, b?: Array<[number, number]>): { [key in K]?: Array<[number, number]> } {
  let merged = a?.length ? a : b;
  if (a?.length && b?.length) merged = mergeSparse(a, b);
  return merged?.length ? ({ [name]: merged } as { [key in K]: Array<[number, number]> }) : {};
}

function minOf(a: number | null, b: number | null) {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null) {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

/** Adds two stored summaries of the same kind without knowing their layout. */
export function mergeEncoded(a: EncodedSummary, b: EncodedSummary): EncodedSummary {
  if (a.kind !== b.kind) throw new Error(`cannot merge a ${b.kind} summary into a ${a.kind} one`);
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    return {
      kind: 'numeric',
      nulls: a.nulls + b.nulls,
      missing: a.missing + b.missing,
      typeMismatches: a.typeMismatches + b.typeMismatches,
      n: a.n + b.n,
      sum: a.sum + b.sum,
      sumSquares: a.sumSquares + b.sumSquares,
      min: minOf(a.min, b.min),
      max: maxOf(a.max, b.max),
      belowRange: a.belowRange + b.belowRange,
      aboveRange: a.aboveRange + b.aboveRange,
      ...mergeNumericBins(a, b),
      ...mergePairs('ties', a.ties, b.ties),
      ...mergePairs('lowTail', a.lowTail, b.lowTail),
      ...mergePairs('highTail', a.highTail, b.highTail),
    };
  }
  if (a.kind === 'categorical' && b.kind === 'categorical') {
    const merged = decodeSummary(a) as CategoricalSummary;
    mergeInto(merged, decodeSummary(b));
    return encodeSummary(merged);
  }
  if (a.kind === 'events' && b.kind === 'events') {
    return { kind: 'events', n: a.n + b.n, errors: a.errors + b.errors };
  }
  if (a.kind === 'log' && b.kind === 'log') {
    return {
      kind: 'log',
      n: a.n + b.n,
      zeros: a.zeros + b.zeros,
      sum: a.sum + b.sum,
      min: minOf(a.min, b.min),
      max: maxOf(a.max, b.max),
      bins: mergeSparse(a.bins, b.bins),
    };
  }
  throw new Error('unreachable');
}

/** Bin counts being added up by mergeEncodedAll: grown as needed, zeroed after each use. */
let binScratch = new Float64Array(NUMERIC_BINS);

function addPairs(into: Map<number, number>, pairs: Array<[number, number]> | undefined) {
  if (pairs) for (const [i, c] of pairs) increment(into, i, c);
}

/**
 * Adds many stored summaries of one key (a batch's 5-minute summaries into its hour and day rows)
 * in one pass: numeric bins are added into one scratch array and read out once, where adding
 * them pairwise built every intermediate list. The result is what folding mergeEncoded over the
 * parts gives, up to the rounding of the floating-point sums and the form the bins take.
 */
export function mergeEncodedAll(parts: EncodedSummary[]): EncodedSummary {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  for (const p of parts) if (p.kind !== first.kind) throw new Error(`cannot merge a ${p.kind} summary into a ${first.kind} one`);
  if (first.kind === 'categorical' || first.kind === 'log') {
    // Decoded once into the first, each other part added, encoded once.
    const merged = decodeSummary(first);
    for (let k = 1; k < parts.length; k++) mergeInto(merged, decodeSummary(parts[k]));
    return encodeSummary(merged);
  }
  if (first.kind !== 'numeric') return parts.reduce(mergeEncoded);
  const numeric = parts as Array<Extract<EncodedSummary, { kind: 'numeric' }>>;
  const merged = { nulls: 0, missing: 0, typeMismatches: 0, n: 0, sum: 0, sumSquares: 0, belowRange: 0, aboveRange: 0 };
  let min: number | null = null;
  let max: number | null = null;
  const ties = new Map<number, number>();
  const lowTail = new Map<number, number>();
  const highTail = new Map<number, number>();
  let end = 0;
  for (const p of numeric) {
    merged.nulls += p.nulls;
    merged.missing += p.missing;
    merged.typeMismatches += p.typeMismatches;
    merged.n += p.n;
    merged.sum += p.sum;
    merged.sumSquares += p.sumSquares;
    merged.belowRange += p.belowRange;
    merged.aboveRange += p.aboveRange;
    min = minOf(min, p.min);
    max = maxOf(max, p.max);
    const partEnd = p.counts ? p.counts.length : (p.bins!.length && p.bins![p.bins!.length - 1][0] + 1) || 0;
    if (partEnd > binScratch.length) {
      const grown = new Float64Array(Math.max(partEnd, 2 * binScratch.length));
      grown.set(binScratch);
      binScratch = grown;
    }
    if (p.counts) for (let i = 0; i < p.counts.length; i++) binScratch[i] += p.counts[i];
    else for (const [i, c] of sortedBins(p.bins!)) binScratch[i] += c;
    end = Math.max(end, partEnd);
    addPairs(ties, p.ties);
    addPairs(lowTail, p.lowTail);
    addPairs(highTail, p.highTail);
  }
  while (end > 0 && !binScratch[end - 1]) end--;
  const bins = numericBins(binScratch.subarray(0, end));
  binScratch.fill(0, 0, end);
  return {
    kind: 'numeric',
    ...merged,
    min,
    max,
    ...bins,
    ...sparse('ties', ties),
    ...sparse('lowTail', lowTail),
    ...sparse('highTail', highTail),
  };
}

/** Event counts of a bucket: stored as the pseudo-feature __events. */
export type EventCounts = { kind: 'events'; n: number; errors: number };
