import { Z_975 } from '../stats/special';

/**
 * Wilson score interval of a binomial proportion (x successes of n), as SciPy's
 * `binomtest(x, n).proportion_ci(method='wilson')`. Unlike the normal approximation it stays inside
 * [0, 1] and is not degenerate at 0 or n successes, which small segments and rare outcomes hit.
 */
export function wilsonInterval(x: number, n: number, z = Z_975): [number, number] | null {
  if (!(n > 0) || x < 0 || x > n) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = ((z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n)));
  // Exact ends where the proportion is 0 or 1 (rounding would leave 1e-17 outside).
  return [x === 0 ? 0 : Math.max(0, centre - half), x === n ? 1 : Math.min(1, centre + half)];
}
