import { InputError } from '@backstage/errors';
import { parseDuration } from '@modelrails/plugin-mlops-common';
import express from 'express';

/*
 * Query parameters several concerns read the same way: time windows and series steps.
 */

type Query = express.Request['query'];

/** Windows reach back at most this far: the summaries' retention. */
const MAX_WINDOW_MS = 90 * 86_400_000;

/** `from` and `to` as given (either may be absent: the service defaults it), in order. */
export function optionalWindow(query: Query) {
  const time = (name: 'from' | 'to') => (query[name] ? Date.parse(String(query[name])) : undefined);
  const from = time('from');
  const to = time('to');
  if (from !== undefined && to !== undefined && from >= to) throw new InputError('query.from must be before query.to');
  return { from, to };
}

/** A series window: `window` back from now (or from `to`), or `from`–`to`. */
export function seriesWindow(query: Query, fallback: string) {
  if (query.window && query.from) throw new InputError('query.window: give a window or a from time, not both');
  const windowMs = parseDuration(String(query.window ?? fallback));
  if (windowMs > MAX_WINDOW_MS) throw new InputError("query.window: at most 90d (the summaries' retention)");
  const given = optionalWindow(query);
  const to = given.to ?? Date.now();
  const from = given.from ?? to - windowMs;
  if (from >= to) throw new InputError('query.from must be before query.to');
  if (to - from > MAX_WINDOW_MS) throw new InputError('query.from: at most 90 days before query.to');
  return { from, to, stepMs: query.step ? parseDuration(String(query.step)) : undefined };
}

/** An optional string parameter. */
export const optionalString = (value: unknown) => (value === undefined ? undefined : String(value));
