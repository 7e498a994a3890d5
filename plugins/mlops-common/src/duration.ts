import { z } from 'zod';

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * A duration written the way people write them in YAML: `90s`, `10m`, `24h`, `7d`.
 * @public
 */
export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, {
    message: 'must be a duration such as "30s", "10m", "24h" or "7d"',
  })
  // Checks run even after the pattern failed; only judge the length of well-formed durations.
  .refine(value => !DURATION_PATTERN.test(value) || parseDuration(value) > 0, {
    message: 'must be longer than zero',
  });

/**
 * Milliseconds in a duration string; throws on anything {@link durationSchema} rejects.
 * @public
 */
export function parseDuration(value: string): number {
  const match = DURATION_PATTERN.exec(value);
  if (!match) {
    throw new Error(`Invalid duration "${value}"`);
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
