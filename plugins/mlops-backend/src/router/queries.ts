import { InputError } from '@backstage/errors';
import { parseDuration } from '@modelrails/plugin-mlops-common';
import { parseTimestamp } from '../timestamps';

/*
 * Query parameters several concerns read the same way: time windows and series steps.
 */

/**
 * A request's query as express parsed it. The generated query types cannot say `from` (the
 * generator renames it `_from`), so the helpers read the parsed query by its wire names.
 */
type Query = object;
const read = (query: Query, name: string) => (query as Record<string, unknown>)[name];

/** Windows reach back at most this far: the summaries' retention. */
const MAX_WINDOW_MS = 90 * 86_400_000;

/** `from` and `to` as given (either may be absent: the service defaults it), in order. */
export function optionalWindow(query: Query) {
  const time = (name: 'from' | 'to') => (read(query, name) ? parseTimestamp(read(query, name), `query.${name}`) : undefined);
  const from = time('from');
  const to = time('to');
  if (from !== undefined && to !== undefined && from >= to) throw new InputError('query.from must be before query.to');
  return { from, to };
}

/** A series window: `window` back from now (or from `to`), or `from`–`to`. */
export function seriesWindow(query: Query, fallback: string) {
  if (read(query, 'window') && read(query, 'from')) throw new InputError('query.window: give a window or a from time, not both');
  const windowMs = parseDuration(String(read(query, 'window') ?? fallback));
  if (windowMs > MAX_WINDOW_MS) throw new InputError("query.window: at most 90d (the summaries' retention)");
  const given = optionalWindow(query);
  const to = given.to ?? Date.now();
  const from = given.from ?? to - windowMs;
  if (from >= to) throw new InputError('query.from must be before query.to');
  if (to - from > MAX_WINDOW_MS) throw new InputError('query.from: at most 90 days before query.to');
  const step = read(query, 'step');
  return { from, to, stepMs: step ? parseDuration(String(step)) : undefined };
}

/** An optional string parameter. */
export const optionalString = (value: unknown) => (value === undefined ? undefined : String(value));
