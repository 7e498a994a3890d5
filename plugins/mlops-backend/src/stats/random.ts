/*
 * A seeded generator written with 32-bit integer arithmetic only, so the SciPy fixture script
 * (scripts/scipy-fixtures.py) reproduces the very same samples bit for bit and the fixtures can
 * hold results for 10⁶-value samples without holding the samples.
 */

export type Random = () => number;

/**
 * 32-bit multiply, as Math.imul. Written out because Jest's sandbox makes Math.imul a call into
 * another realm (about 250 ns each, 25 times this), and the tests draw millions.
 */
function imul(a: number, b: number): number {
  const ah = (a >>> 16) & 0xffff;
  const al = a & 0xffff;
  const bh = (b >>> 16) & 0xffff;
  const bl = b & 0xffff;
  return (al * bl + (((ah * bl + al * bh) << 16) >>> 0)) | 0;
}

/** mulberry32: uniform in [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = imul(a ^ (a >>> 15), 1 | a) >>> 0;
    t = ((t + imul(t ^ (t >>> 7), 61 | t)) ^ t) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Approximately standard normal: the Irwin–Hall sum of 12 uniforms, minus 6 (no transcendental). */
export function normal(random: Random): number {
  let s = 0;
  for (let i = 0; i < 12; i++) s += random();
  return s - 6;
}

export type SampleSpec = {
  seed: number;
  n: number;
  /**
   * normal: N; skewed: 4·U² (a long right tail without logarithms); lognormal: exp(sigma·N);
   * bimodal: N ± 2 with equal weight; student3: Student's t with 3 degrees of freedom (heavy
   * tails, finite variance; only square roots, which every language rounds alike).
   */
  shape: 'normal' | 'skewed' | 'lognormal' | 'bimodal' | 'student3';
  loc: number;
  scale: number;
  /** lognormal only: the log's standard deviation (1 unless given). */
  sigma?: number;
  /** Rounds every value to a multiple of step (floor(x/step + 0.5)·step): rounded and discrete data. */
  step?: number;
};

function base(spec: SampleSpec, random: Random): number {
  switch (spec.shape) {
    case 'normal':
      return normal(random);
    case 'skewed':
      return random() * random() * 4;
    case 'lognormal':
      return Math.exp((spec.sigma ?? 1) * normal(random));
    case 'bimodal': {
      const mode = random() < 0.5 ? -2 : 2;
      return mode + normal(random);
    }
    case 'student3': {
      const z = normal(random);
      let chi = 0;
      for (let k = 0; k < 3; k++) {
        const w = normal(random);
        chi += w * w;
      }
      return z / Math.sqrt(chi / 3);
    }
    default:
      throw new Error(`unknown shape ${spec.shape}`);
  }
}

export function generateSample(spec: SampleSpec): Float64Array {
  const random = seededRandom(spec.seed);
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    const value = spec.loc + spec.scale * base(spec, random);
    out[i] = spec.step ? Math.floor(value / spec.step + 0.5) * spec.step : value;
  }
  return out;
}

/**
 * sfc32 seeded through splitmix32: for simulated traffic, where mulberry32's counter-hash
 * structure showed up as a detectable difference between platform subsets at a fixed lag.
 */
export function simulationRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return () => next() / 4294967296;
}
