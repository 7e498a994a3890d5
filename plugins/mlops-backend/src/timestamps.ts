import { InputError } from '@backstage/errors';

/**
 * An RFC 3339 time the spec's pattern let through, as milliseconds; a date that does not exist
 * (month 13, 30 February) is an InputError naming the field rather than an Invalid Date further in.
 */
export function parseTimestamp(value: unknown, field: string): number {
  const text = String(value);
  const ms = Date.parse(text);
  // Date.parse rolls 30 February over to March: the calendar date must exist as written.
  const [, y, m, d, hh, mm, ss] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text) ?? [];
  const written = y === undefined ? undefined : new Date(Date.UTC(+y, +m - 1, +d, +hh, +mm, +ss));
  const exists = written && written.getUTCFullYear() === +y && written.getUTCMonth() === +m - 1 && written.getUTCDate() === +d && written.getUTCHours() === +hh && written.getUTCMinutes() === +mm;
  if (!Number.isFinite(ms) || !exists || +ss > 60) throw new InputError(`${field}: "${text}" is not a date-time`);
  return ms;
}
