import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { EncodedSummary } from './summaries';

/*
 * The stored form of a summary: bytes, not JSON text. A 5-minute numeric row of a busy feature lists
 * hundreds of occupied bins; as JSON each costs about eight characters ("[123,1],"), here the gap to
 * the previous bin and the count as varints, usually two bytes: about a quarter of the text. Counts are whole numbers; floats
 * (sum, sum of squares, min, max) keep all 64 bits, so decode(encode(s)) is s exactly.
 *
 * The first byte tells the form: a kind tag below, or "{" for a summary stored as JSON (rows written
 * before this codec, and any summary with a count that is not a whole number), which is still read,
 * or the deflated tag: one of the others compressed (encodeStoredCompressed).
 */

/*
 * numericSparse/numericDense: rows written before ties and tail sketches were kept; read, no
 * longer written. The *Tied forms add the ties and the two tail sketches after the bins.
 */
const TAG = { events: 1, numericSparse: 2, numericDense: 3, categorical: 4, log: 5, numericSparseTied: 6, numericDenseTied: 7, packed: 8, deflated: 9 } as const;
const JSON_START = 0x7b; // "{"

/** Bytes being written; one for all summaries (encoding is synchronous), grown as needed. */
let scratch = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);

class Writer {
  private bytes = scratch;
  private view = scratchView;
  length = 0;

  private room(n: number) {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = scratch = grown;
    this.view = scratchView = new DataView(grown.buffer);
  }

  byte(b: number) {
    this.room(1);
    this.bytes[this.length++] = b;
  }

  /** A non-negative whole number up to 2^53, seven bits a byte. */
  varint(n: number) {
    this.room(8);
    let x = n;
    while (x >= 0x80) {
      this.bytes[this.length++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.bytes[this.length++] = x;
  }

  /** A whole number of either sign (zigzag). */
  signed(n: number) {
    this.varint(n >= 0 ? 2 * n : -2 * n - 1);
  }

  float(x: number) {
    this.room(8);
    this.view.setFloat64(this.length, x, true);
    this.length += 8;
  }

  text(s: string) {
    const encoded = Buffer.from(s, 'utf8');
    this.varint(encoded.length);
    this.room(encoded.length);
    this.bytes.set(encoded, this.length);
    this.length += encoded.length;
  }

  /** A copy of the bytes written: small ones share Node's pooled slabs, not an ArrayBuffer each. */
  raw(bytes: Uint8Array) {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  done(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    out.set(this.bytes.subarray(0, this.length));
    return out;
  }
}

class Reader {
  private offset = 1;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (this.offset >= this.bytes.length) throw new Error('stored summary ends inside a number');
      const b = this.bytes[this.offset++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }

  signed(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float(): number {
    const x = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return x;
  }

  text(): string {
    const length = this.varint();
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, length).toString('utf8');
    this.offset += length;
    return s;
  }

  raw(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error('stored summary ends early');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  end() {
    if (this.offset !== this.bytes.length) throw new Error('stored summary has bytes left over');
  }
}

const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
/** UTF-8 carries the name unchanged: no lone surrogate (which it would turn into U+FFFD). */
const wellFormed = (name: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name);

/** Pairs in ascending order of index, each index an integer and each count whole. */
function wholePairs(pairs: Array<[number, number]> | undefined): boolean {
  if (!pairs) return true;
  for (let k = 0; k < pairs.length; k++) {
    const i = pairs[k][0];
    if (!Number.isSafeInteger(i) || !whole(pairs[k][1]) || (k > 0 && i <= pairs[k - 1][0])) return false;
  }
  return true;
}

const allWhole = (counts: number[]) => {
  for (const c of counts) if (!whole(c)) return false;
  return true;
};

/** Every count of the summary is a whole number and every category name valid Unicode (else it is stored as JSON). */
function countsAreWhole(s: EncodedSummary): boolean {
  if (s.kind === 'events') return whole(s.n) && whole(s.errors);
  if (s.kind === 'categorical') return [s.nulls, s.missing, s.typeMismatches, s.n, ...Object.values(s.categories)].every(whole) && Object.keys(s.categories).every(wellFormed);
  if (s.kind === 'log') return whole(s.n) && whole(s.zeros) && s.bins.every(([i, c]) => Number.isSafeInteger(i) && whole(c));
  // Hot path of ingestion (every stored row): loops, no arrays built. Bin and tie indices are
  // whole too (the sparse writer stores them as varint gaps).
  return (
    allWhole([s.nulls, s.missing, s.typeMismatches, s.n, s.belowRange, s.aboveRange]) &&
    (s.counts ? allWhole(s.counts) : wholePairs(s.bins) && s.bins!.every(([i]) => i >= 0)) &&
    wholePairs(s.ties) &&
    (s.ties ?? []).every(([i]) => i >= 0) &&
    wholePairs(s.lowTail) &&
    wholePairs(s.highTail)
  );
}

function writeSparse(w: Writer, pairs: Array<[number, number]>) {
  w.varint(pairs.length);
  let previous = -1;
  for (const [i, c] of pairs) {
    w.varint(i - previous - 1);
    w.varint(c);
    previous = i;
  }
}

/** Log-bin pairs: indices of either sign, as differences from the previous one. */
function writeLogBins(w: Writer, pairs: Array<[number, number]>) {
  w.varint(pairs.length);
  let previous = 0;
  for (const [i, c] of pairs) {
    w.signed(i - previous);
    w.varint(c);
    previous = i;
  }
}

function readLogBins(r: Reader): Array<[number, number]> {
  const length = r.varint();
  const bins: Array<[number, number]> = new Array(length);
  let previous = 0;
  for (let k = 0; k < length; k++) {
    previous += r.signed();
    bins[k] = [previous, r.varint()];
  }
  return bins;
}

function readSparse(r: Reader): Array<[number, number]> {
  const length = r.varint();
  const pairs: Array<[number, number]> = new Array(length);
  let previous = -1;
  for (let k = 0; k < length; k++) {
    previous += r.varint() + 1;
    pairs[k] = [previous, r.varint()];
  }
  return pairs;
}

function minMax(w: Writer, min: number | null, max: number | null) {
  w.byte((min === null ? 0 : 1) | (max === null ? 0 : 2));
  if (min !== null) w.float(min);
  if (max !== null) w.float(max);
}

function readMinMax(r: Reader): { min: number | null; max: number | null } {
  const flags = r.varint();
  const min = flags & 1 ? r.float() : null;
  const max = flags & 2 ? r.float() : null;
  return { min, max };
}

/**
 * Stored rows this size or larger are compressed (hourly and daily rows, kept for weeks: a busy
 * numeric feature's bin counts are small numbers of a few bits' entropy each that varints give a byte).
 */
const COMPRESS_FROM = 64;
/** No stored summary inflates beyond this (a dense 1,000-bin row with tails is a few kB). */
const MAX_INFLATED = 1 << 22;

/**
 * A summary as kept in mlops_summaries: the codec's bytes, deflated (zlib's raw DEFLATE) when that
 * makes them smaller. Counts of 1,000 bins that average 1–40 take 1.6–3× fewer bytes; inflating
 * one costs about 10 µs, deflating 20 µs, paid when compaction rewrites a row and when a query
 * reads one. Ingestion's appended rows (they live seconds; ingest is the hot path) and the 5-minute
 * rows (kept two days, read by every warm query and the rollback tick) stay plain.
 */
export function encodeStoredCompressed(s: EncodedSummary): Buffer {
  const plain = encodeStored(s);
  if (plain.length < COMPRESS_FROM || plain[0] === JSON_START) return plain;
  const deflated = deflateRawSync(plain);
  if (deflated.length + 1 >= plain.length) return plain;
  const out = Buffer.allocUnsafe(deflated.length + 1);
  out[0] = TAG.deflated;
  out.set(deflated, 1);
  return out;
}

/** A summary as stored. */
export function encodeStored(s: EncodedSummary): Buffer {
  if (!countsAreWhole(s)) return Buffer.from(JSON.stringify(s), 'utf8');
  const w = new Writer();
  if (s.kind === 'events') {
    w.byte(TAG.events);
    w.varint(s.n);
    w.varint(s.errors);
  } else if (s.kind === 'numeric') {
    w.byte(s.counts ? TAG.numericDenseTied : TAG.numericSparseTied);
    for (const n of [s.nulls, s.missing, s.typeMismatches, s.n, s.belowRange, s.aboveRange]) w.varint(n);
    w.float(s.sum);
    w.float(s.sumSquares);
    minMax(w, s.min, s.max);
    if (s.counts) {
      w.varint(s.counts.length);
      for (const c of s.counts) w.varint(c);
    } else {
      writeSparse(w, s.bins!);
    }
    writeSparse(w, s.ties ?? []);
    writeLogBins(w, s.lowTail ?? []);
    writeLogBins(w, s.highTail ?? []);
  } else if (s.kind === 'categorical') {
    w.byte(TAG.categorical);
    for (const n of [s.nulls, s.missing, s.typeMismatches, s.n]) w.varint(n);
    const entries = Object.entries(s.categories);
    w.varint(entries.length);
    for (const [category, count] of entries) {
      w.text(category);
      w.varint(count);
    }
  } else {
    w.byte(TAG.log);
    w.varint(s.n);
    w.varint(s.zeros);
    w.float(s.sum);
    minMax(w, s.min, s.max);
    writeLogBins(w, s.bins);
  }
  return w.done();
}

/** A stored summary: bytes from the codec, or JSON (as bytes or text) from before it. */
export function decodeStored(stored: Uint8Array | string): EncodedSummary {
  if (typeof stored === 'string') return JSON.parse(stored);
  if (stored[0] === JSON_START) return JSON.parse(Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8'));
  if (stored[0] === TAG.deflated) {
    const inner = inflateRawSync(stored.subarray(1), { maxOutputLength: MAX_INFLATED });
    if (inner[0] === TAG.deflated || inner[0] === TAG.packed) throw new Error('stored summary deflates to another container');
    return decodeStored(inner);
  }
  const r = new Reader(stored);
  let s: EncodedSummary;
  switch (stored[0]) {
    case TAG.events:
      s = { kind: 'events', n: r.varint(), errors: r.varint() };
      break;
    case TAG.numericSparse:
    case TAG.numericDense:
    case TAG.numericSparseTied:
    case TAG.numericDenseTied: {
      const [nulls, missing, typeMismatches, n, belowRange, aboveRange] = [r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()];
      const sum = r.float();
      const sumSquares = r.float();
      const { min, max } = readMinMax(r);
      const head = { kind: 'numeric' as const, nulls, missing, typeMismatches, n, sum, sumSquares, min, max, belowRange, aboveRange };
      const dense = stored[0] === TAG.numericDense || stored[0] === TAG.numericDenseTied;
      let binsOrCounts: { counts: number[] } | { bins: Array<[number, number]> };
      if (dense) {
        const length = r.varint();
        const counts = new Array<number>(length);
        for (let i = 0; i < length; i++) counts[i] = r.varint();
        binsOrCounts = { counts };
      } else {
        binsOrCounts = { bins: readSparse(r) };
      }
      if (stored[0] === TAG.numericDenseTied || stored[0] === TAG.numericSparseTied) {
        const ties = readSparse(r);
        const lowTail = readLogBins(r);
        const highTail = readLogBins(r);
        s = {
          ...head,
          ...binsOrCounts,
          ...(ties.length ? { ties } : {}),
          ...(lowTail.length ? { lowTail } : {}),
          ...(highTail.length ? { highTail } : {}),
        };
      } else {
        s = { ...head, ...binsOrCounts };
      }
      break;
    }
    case TAG.categorical: {
      const [nulls, missing, typeMismatches, n] = [r.varint(), r.varint(), r.varint(), r.varint()];
      const categories: Record<string, number> = {};
      const length = r.varint();
      for (let k = 0; k < length; k++) {
        const category = r.text();
        // As JSON.parse does: an own property even for a category named "__proto__".
        Object.defineProperty(categories, category, { value: r.varint(), enumerable: true, writable: true, configurable: true });
      }
      s = { kind: 'categorical', nulls, missing, typeMismatches, n, categories };
      break;
    }
    case TAG.log: {
      const n = r.varint();
      const zeros = r.varint();
      const sum = r.float();
      const { min, max } = readMinMax(r);
      s = { kind: 'log', n, zeros, sum, min, max, bins: readLogBins(r) };
      break;
    }
    default:
      throw new Error(`stored summary of unknown form ${stored[0]}`);
  }
  r.end();
  return s;
}

/**
 * Several features' summaries in one stored value: what ingestion appends per series and bucket
 * (one row for a model's fifty features, not fifty), each entry its feature's name and its stored
 * summary. Unpacking decodes only the features asked for.
 */
export function packSummaries(entries: Array<{ feature: string; summary: EncodedSummary }>): Buffer {
  // Encoded first: encodeStored and the pack's writer share one scratch buffer.
  const encoded = entries.map(e => ({ feature: e.feature, bytes: encodeStored(e.summary) }));
  const w = new Writer();
  w.byte(TAG.packed);
  w.varint(encoded.length);
  for (const { feature, bytes } of encoded) {
    w.text(feature);
    w.varint(bytes.length);
    w.raw(bytes);
  }
  return w.done();
}

export function isPacked(stored: Uint8Array | string): boolean {
  return typeof stored !== 'string' && stored[0] === TAG.packed;
}

export function unpackSummaries(stored: Uint8Array, wanted?: (feature: string) => boolean): Array<{ feature: string; summary: EncodedSummary }> {
  if (!isPacked(stored)) throw new Error('not a packed summary');
  const r = new Reader(stored);
  const count = r.varint();
  const out: Array<{ feature: string; summary: EncodedSummary }> = [];
  for (let k = 0; k < count; k++) {
    const feature = r.text();
    const bytes = r.raw(r.varint());
    if (!wanted || wanted(feature)) out.push({ feature, summary: decodeStored(bytes) });
  }
  r.end();
  return out;
}
