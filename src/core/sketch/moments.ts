/**
 * Count, mean, sum of squared deviations (M2), min and max of a stream of numbers,
 * mergeable exactly up to floating-point rounding.
 *
 * Streaming updates use Welford's method; merges use the pairwise formula of Chan, Golub
 * & LeVeque (1979, "Updating formulae and a pairwise algorithm for computing sample
 * variances"): with δ = mean_b − mean_a, mean = mean_a + δ·n_b/n and
 * M2 = M2_a + M2_b + δ²·n_a·n_b/n. Both avoid the cancellation of Σx² − n·mean².
 */

export interface MomentsState {
  n: number;
  mean: number;
  m2: number;
  /** null when n = 0. */
  min: number | null;
  max: number | null;
}

export class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(x: number): void {
    const n = ++this.n;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  state(): MomentsState {
    return this.n === 0
      ? { n: 0, mean: 0, m2: 0, min: null, max: null }
      : { n: this.n, mean: this.mean, m2: this.m2, min: this.min, max: this.max };
  }
}

export function mergeMoments(a: MomentsState, b: MomentsState): MomentsState {
  if (b.n === 0) return { ...a };
  if (a.n === 0) return { ...b };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + ((delta * delta * a.n) / n) * b.n,
    // strict comparisons, as one pass makes them: the first of -0 and 0 stays
    min: b.min! < a.min! ? b.min : a.min,
    max: b.max! > a.max! ? b.max : a.max,
  };
}

/** Population variance (ddof = 0); null for no values. */
export function populationVariance(m: MomentsState): number | null {
  return m.n === 0 ? null : m.m2 / m.n;
}

/** Sample variance (ddof = 1, as pandas' `var`/`std`); null below two values. */
export function sampleVariance(m: MomentsState): number | null {
  return m.n < 2 ? null : m.m2 / (m.n - 1);
}
