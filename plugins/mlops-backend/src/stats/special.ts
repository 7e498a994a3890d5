/*
 * Special functions the drift tests need, written for relative accuracy near 1e-12 so the results
 * agree with SciPy's to 1e-9 (fixtures in __fixtures__/scipy.json).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P, then Q = 1 - P (P is not close to 1 in this region, so nothing is lost).
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

/** Survival function of the chi-square distribution (SciPy `chi2.sf`). */
export function chiSquareSf(statistic: number, degreesOfFreedom: number): number {
  if (degreesOfFreedom <= 0) return Number.NaN;
  return gammaQ(degreesOfFreedom / 2, statistic / 2);
}

/**
 * Survival function of Kolmogorov's limiting distribution (SciPy `kstwobign.sf`):
 * Q(z) = 2 Σ (-1)^(k-1) exp(-2k²z²), or 1 - √(2π)/z Σ exp(-(2k-1)²π²/(8z²)) for small z.
 */
export function kolmogorovSf(z: number): number {
  if (z <= 0) return 1;
  if (z < 1.18) {
    let sum = 0;
    const w = (Math.PI * Math.PI) / (8 * z * z);
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / z) * sum;
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    sum += (k % 2 ? 1 : -1) * term;
    if (term < 1e-18 * Math.abs(sum)) break;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

/** The 97.5 % quantile of the standard normal: two-sided 95 % intervals. */
export const Z_975 = 1.959963984540054;
