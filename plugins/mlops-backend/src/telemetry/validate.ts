import { InputError } from '@backstage/errors';

/*
 * Hand-written validation for ingestion bodies: a batch holds up to 10,000 events and the
 * throughput target leaves no room for a generic schema walker. Every error names its field, as
 * `events[12].score`. The OpenAPI spec documents the same shapes.
 */

export const INGEST_LIMITS = {
  eventsPerBatch: 10_000,
  featuresPerEvent: 200,
  segmentTags: 10,
  profilesPerBatch: 1_000,
  idLength: 128,
  stringValueLength: 256,
};

/** Where a value sits in the body; the path string is only built when an error names it. */
export class Fields {
  constructor(
    private readonly parentOrRoot: Fields | string,
    protected key?: string | number,
  ) {}

  get path(): string {
    if (typeof this.parentOrRoot === 'string') return this.parentOrRoot;
    const parent = this.parentOrRoot.path;
    if (typeof this.key === 'number') return `${parent}[${this.key}]`;
    return parent ? `${parent}.${this.key}` : String(this.key);
  }

  fail(message: string): never {
    throw new InputError(`${this.path}: ${message}`);
  }

  at(key: string | number) {
    return new Fields(this, key);
  }
}

/**
 * The item of an array being validated, moved along the array: its fields' Fields objects are made
 * once per batch, not once per item (the path is only built when an error names it).
 */
export class ItemCursor<K extends string> extends Fields {
  readonly fields: Record<K, Fields>;

  constructor(list: Fields, keys: readonly K[]) {
    super(list, 0);
    this.fields = Object.fromEntries(keys.map(k => [k, this.at(k)])) as Record<K, Fields>;
  }

  moveTo(index: number) {
    this.key = index;
    return this;
  }
}

export function object(value: unknown, f: Fields, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) f.fail('must be an object');
  // for…in, not Object.keys: no array per object on the ingestion path (JSON objects have no inherited keys).
  for (const key in value as object) {
    if (!allowed.includes(key)) f.at(key).fail('is not a known field');
  }
  return value as Record<string, unknown>;
}

/** An object whose keys are data (tags, features, category counts). */
export function anyObject(value: unknown, f: Fields): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) f.fail('must be an object');
  return value as Record<string, unknown>;
}

export function array(value: unknown, f: Fields, max: number, min = 1): unknown[] {
  if (!Array.isArray(value)) f.fail('must be an array');
  if (value.length < min) f.fail(`must hold at least ${min} item${min === 1 ? '' : 's'}`);
  if (value.length > max) f.fail(`holds ${value.length} items; at most ${max} are allowed per request`);
  return value;
}

export function id(value: unknown, f: Fields): string {
  if (typeof value !== 'string' || !value.length) f.fail('must be a non-empty string');
  if (value.length > INGEST_LIMITS.idLength) f.fail(`must be at most ${INGEST_LIMITS.idLength} characters`);
  // Databases store text without NUL characters.
  if (value.includes('\u0000')) f.fail('must not contain NUL characters');
  return value;
}

export function optionalId(value: unknown, f: Fields): string | undefined {
  return value === undefined ? undefined : id(value, f);
}

export function sequence(value: unknown, f: Fields): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) f.fail('must be a non-negative integer');
  return value;
}

export function finite(value: unknown, f: Fields): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) f.fail('must be a finite number');
  return value;
}

export function optionalFinite(value: unknown, f: Fields): number | null {
  return value === undefined || value === null ? null : finite(value, f);
}

/** An ISO 8601 time or epoch milliseconds. */
export function time(value: unknown, f: Fields): number {
  let ms = Number.NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = Date.parse(value);
  if (!Number.isFinite(ms) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    f.fail('must be an ISO 8601 date-time or epoch milliseconds');
  }
  return ms;
}

export function tags(value: unknown, f: Fields): Record<string, string> {
  if (value === undefined) return {};
  const o = anyObject(value, f);
  const keys = Object.keys(o);
  if (keys.length > INGEST_LIMITS.segmentTags) f.fail(`at most ${INGEST_LIMITS.segmentTags} tags`);
  for (const key of keys) {
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(key)) f.at(key).fail('tag names are letters, digits, _ . - (up to 64)');
    const v = o[key];
    if (typeof v !== 'string' || !v.length || v.length > 64) f.at(key).fail('must be a string of 1 to 64 characters');
  }
  return o as Record<string, string>;
}

/** Feature values: numbers, strings, booleans or null (anything else is a type error now). */
export function features(value: unknown, f: Fields): Record<string, unknown> {
  if (value === undefined) return {};
  const o = anyObject(value, f);
  const keys = Object.keys(o);
  if (keys.length > INGEST_LIMITS.featuresPerEvent) f.fail(`at most ${INGEST_LIMITS.featuresPerEvent} features per event`);
  for (const key of keys) {
    if (key.length > 128 || key.startsWith('__')) f.at(key).fail('feature names are up to 128 characters and do not start with __');
    const v = o[key];
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) f.at(key).fail('must be a finite number');
      continue;
    }
    if (typeof v === 'string') {
      if (v.length > INGEST_LIMITS.stringValueLength) f.at(key).fail(`must be at most ${INGEST_LIMITS.stringValueLength} characters`);
      continue;
    }
    f.at(key).fail('must be a number, string, boolean or null');
  }
  return o;
}
