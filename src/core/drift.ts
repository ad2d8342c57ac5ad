/**
 * Column and dataset drift (PRODUCT.md 3.1/3.2): tests whose numbers equal SciPy 1.10's, chosen the way
 * Evidently's `auto` chooses them.
 *
 * Statistics (each mirrors the SciPy function named in its comment):
 * - `ks2samp`: `scipy.stats.ks_2samp` two-sided, including how SciPy picks exact vs asymptotic mode.
 * - `chisquare`: `scipy.stats.chisquare`.
 * - `wassersteinDistance`: `scipy.stats.wasserstein_distance`, with weights.
 * - `jensenShannonDistance`: `scipy.spatial.distance.jensenshannon`.
 *
 * Conventions of `columnDrift` (documented in the README):
 * - nulls: NaN and ±Infinity values, and values whose weight is not a positive finite number, are dropped;
 *   categorical counts <= 0 are dropped. Rows = number of values, or the sum of weights.
 * - weights are multiplicities (e.g. points of a quantile sketch); `exact: false` adds an "approximate" note.
 *   KS with weights uses weighted ECDFs and n = round(sum of weights) for the p-value.
 * - `auto`: unique values counted over reference + current; the 1000-row switch counts reference rows.
 * - distributions for chisquare/jensenshannon/psi/kl/hellinger: categorical → one cell per category; numeric
 *   → one cell per distinct value, or, when the reference has > 20 distinct values, NumPy's Sturges histogram
 *   (`np.histogram_bin_edges(concat(ref, cur), "sturges")`) — Evidently's `get_binned_data`. The z-test
 *   always uses values as categories (first category in sorted order vs the rest, as Evidently does).
 * - psi and kl replace empty cells by Evidently's fill value (min non-zero share / 1e6 when that share is
 *   <= 1e-4, else 1e-4); jensenshannon and hellinger use the shares as they are.
 * - z-test p = 2·norm.sf(|z|) (Evidently writes 2·(1 − norm.cdf(|z|)), which is 0 beyond |z| ≈ 8.3).
 * - edge cases: an empty or all-null side → statistic and p_value null, not drifted, note "no values";
 *   chisquare with a cell that is empty in the reference but not in the current data → statistic null,
 *   p_value 0, drifted, with a note (PRODUCT.md 3.2); a single category → chisquare/z p = 1; Wasserstein
 *   with a constant reference divides by 0.001 (Evidently's floor): identical constants → 0, different
 *   constants → drifted (unless they differ by < 1e-4), with a note.
 * - a result is never NaN: `statistic`/`p_value` are finite numbers or null, and a note says why.
 */

import { UserError } from "../errors.js";
import { numpySum } from "./metrics.js";
import {
  chiSquareSurvival,
  kolmogorovSmirnovSurvival,
  normalSurvival,
  roundHalfEven,
} from "./special-functions.js";

export type DriftMethod =
  | "ks"
  | "chisquare"
  | "z"
  | "wasserstein"
  | "jensenshannon"
  | "psi"
  | "kl"
  | "hellinger";

export interface NumericSample {
  kind: "numeric";
  values: Float64Array;
  /** Optional multiplicities for approximations (e.g. points from a quantile sketch). */
  weights?: Float64Array;
  /** False when values are an approximation. */
  exact: boolean;
}

export interface CategoricalSample {
  kind: "categorical";
  counts: Map<string, number>;
}

export type ColumnSample = NumericSample | CategoricalSample;

export interface ColumnDrift {
  name: string;
  kind: "numeric" | "categorical";
  method: DriftMethod;
  statistic: number | null;
  p_value: number | null;
  threshold: number;
  drifted: boolean;
  note?: string;
}

/**
 * Default thresholds (Evidently's defaults). p-value tests drift when p ≤ threshold (ks) or p < threshold
 * (chisquare, z); distances and divergences drift when the statistic ≥ threshold.
 */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
  kl: 0.1,
  hellinger: 0.1,
};

/** Evidently's switch from p-value tests to distances: reference rows above this. */
const SMALL_REFERENCE_ROWS = 1000;
/** Evidently bins a numeric column when the reference has more distinct values than this. */
const MAX_DISTINCT_WITHOUT_BINS = 20;
/** Evidently's floor for the reference std that normalizes the Wasserstein distance. */
const MIN_WASSERSTEIN_NORM = 0.001;
/** scipy.stats.ks_2samp: `auto` computes the exact p-value when max(n1, n2) <= this. */
const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------
// SciPy-equal statistics
// ---------------------------------------------------------------------------------------------

function assertFiniteValues(values: Float64Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`${what}[${i}] is not finite: ${values[i]}`);
  }
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * Two-sided KS statistic over (optionally weighted) sorted samples in one merge pass: the largest gap
 * between the ECDFs, evaluated after each distinct value as `searchsorted(side="right")` does.
 */
function ksStatistic(
  x: Float64Array,
  wx: Float64Array | null,
  y: Float64Array,
  wy: Float64Array | null,
): number {
  const n1 = x.length;
  const n2 = y.length;
  const total1 = wx ? sumSequential(wx) : n1;
  const total2 = wy ? sumSequential(wy) : n2;
  let i = 0;
  let j = 0;
  let c1 = 0;
  let c2 = 0;
  let maxDiff = Number.NEGATIVE_INFINITY;
  let minDiff = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    while (i < n1 && x[i] === v) {
      if (wx) c1 += wx[i]!;
      i++;
    }
    while (j < n2 && y[j] === v) {
      if (wy) c2 += wy[j]!;
      j++;
    }
    const diff = (wx ? c1 : i) / total1 - (wy ? c2 : j) / total2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return Math.max(minS, maxDiff);
}

/** `_compute_prob_outside_square` (n1 == n2): P(D >= h/n) by a Horner-like alternating sum. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * `_compute_outer_prob_inside_method` (scipy/stats/_stats_pythran.py): the share of lattice paths from
 * (0, 0) to (m, n) that leave |x/m - y/n| < h/lcm, by Hodges' inside method with Viehmann's (2021)
 * recursion for 1 - p.
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** p-value of the two-sided statistic d for sizes n1, n2, choosing the mode as scipy.stats.ks_2samp does. */
function ksPValue(
  statistic: number,
  n1: number,
  n2: number,
  mode: "auto" | "exact" | "asymp",
): { statistic: number; pvalue: number; mode: "exact" | "asymp" } {
  let d = statistic;
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let used: "exact" | "asymp";
  if (mode === "auto") used = Math.max(n1, n2) <= KS_MAX_AUTO_N ? "exact" : "asymp";
  else if (mode === "exact" && n1g >= INT32_MAX / n2g) used = "asymp";
  else used = mode;
  let prob = Number.NaN;
  if (used === "exact") {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    prob = h === 0 ? 1 : n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (!(prob >= 0 && prob <= 1)) used = "asymp";
  }
  if (used === "asymp") {
    const big = Math.max(n1, n2);
    const small = Math.min(n1, n2);
    const en = (big * small) / (big + small);
    // n1 = n2 = 1 rounds en = 0.5 to 0, where SciPy's kstwo gives NaN; n = 1 is the defined limit.
    prob = kolmogorovSmirnovSurvival(Math.max(1, roundHalfEven(en)), d);
  }
  return { statistic: d, pvalue: Math.min(Math.max(prob, 0), 1), mode: used };
}

/**
 * `scipy.stats.ks_2samp(a, b, alternative="two-sided", method=mode)` (SciPy 1.10): `auto` is exact when
 * max(n1, n2) <= 10000; `exact` falls back to asymptotic when lcm(n1, n2) would not fit an int32; the
 * asymptotic p-value is `kstwo.sf(d, round(n1 n2 / (n1 + n2)))` (n at least 1: SciPy gives NaN for
 * n1 = n2 = 1 in asymptotic mode). In exact mode the statistic is returned as SciPy returns it, rounded
 * to a multiple of 1/lcm(n1, n2). Values must be finite; NaN or ±Infinity throw a RangeError.
 */
export function ks2samp(
  a: Float64Array,
  b: Float64Array,
  mode: "auto" | "exact" | "asymp" = "auto",
): { statistic: number; pvalue: number; mode: "exact" | "asymp" } {
  assertFiniteValues(a, "ks2samp a");
  assertFiniteValues(b, "ks2samp b");
  if (a.length === 0 || b.length === 0) throw new RangeError("ks2samp: both samples need at least one value");
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  return ksPValue(ksStatistic(x, null, y, null), x.length, y.length, mode);
}

/**
 * `scipy.stats.chisquare(observed, expected)`: Pearson's statistic with k - 1 degrees of freedom.
 * Like SciPy it rejects sums that differ by more than 1e-8 relative, and an expected 0 with a non-zero
 * observation gives an infinite statistic and p-value 0. Differences from SciPy, so nothing is NaN: a cell
 * that is 0 in both arrays is not counted as a category, and with a single category p = 1 (SciPy: NaN).
 */
export function chisquare(
  observed: Float64Array,
  expected: Float64Array,
): { statistic: number; pvalue: number } {
  if (observed.length !== expected.length) {
    throw new RangeError(`chisquare: ${observed.length} observed vs ${expected.length} expected frequencies`);
  }
  assertFiniteValues(observed, "chisquare observed");
  assertFiniteValues(expected, "chisquare expected");
  const sumObs = numpySum(observed);
  const sumExp = numpySum(expected);
  if (Math.abs(sumObs - sumExp) / Math.min(sumObs, sumExp) > 1e-8) {
    throw new RangeError(`chisquare: observed sum ${sumObs} and expected sum ${sumExp} differ`);
  }
  return pearsonChiSquare(observed, expected);
}

/** Pearson's chi-square without input checks (columnDrift builds sums that agree by construction). */
function pearsonChiSquare(
  observed: Float64Array,
  expected: Float64Array,
): { statistic: number; pvalue: number } {
  const terms: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    if (o === 0 && e === 0) continue;
    terms.push(e === 0 ? Number.POSITIVE_INFINITY : (o - e) ** 2 / e);
  }
  const statistic = numpySum(Float64Array.from(terms));
  const df = terms.length - 1;
  return { statistic, pvalue: df > 0 ? chiSquareSurvival(statistic, df) : 1 };
}

/** Values sorted ascending with their weights permuted alongside (`np.argsort` + take). */
function sortWithWeights(values: Float64Array, weights: Float64Array): [Float64Array, Float64Array] {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((i, j) => values[i]! - values[j]!);
  const v = new Float64Array(values.length);
  const w = new Float64Array(values.length);
  for (let k = 0; k < order.length; k++) {
    v[k] = values[order[k]!]!;
    w[k] = weights[order[k]!]!;
  }
  return [v, w];
}

function validateDistribution(values: Float64Array, weights: Float64Array | undefined, what: string): void {
  if (values.length === 0) throw new RangeError(`wassersteinDistance: ${what} distribution can't be empty`);
  assertFiniteValues(values, `wassersteinDistance ${what}`);
  if (weights === undefined) return;
  if (weights.length !== values.length) {
    throw new RangeError(
      `wassersteinDistance: ${what} has ${values.length} values but ${weights.length} weights`,
    );
  }
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i]! >= 0))
      throw new RangeError(`wassersteinDistance: ${what} weights must be non-negative`);
    sum += weights[i]!;
  }
  if (!(sum > 0 && sum < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`wassersteinDistance: ${what} weights must have a positive finite sum`);
  }
}

/** Prefix sums with a leading 0, in order (np.concatenate(([0], np.cumsum(w)))). */
function cumulative(weights: Float64Array): Float64Array {
  const out = new Float64Array(weights.length + 1);
  for (let i = 0; i < weights.length; i++) out[i + 1] = out[i]! + weights[i]!;
  return out;
}

/**
 * `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`: the area between the two (weighted)
 * ECDFs, summed with NumPy's pairwise summation as `_cdf_distance(p=1)` does. Values must be finite.
 */
export function wassersteinDistance(
  u: Float64Array,
  v: Float64Array,
  uWeights?: Float64Array,
  vWeights?: Float64Array,
): number {
  validateDistribution(u, uWeights, "u");
  validateDistribution(v, vWeights, "v");
  const [us, uw] = uWeights ? sortWithWeights(u, uWeights) : [Float64Array.from(u).sort(), null];
  const [vs, vw] = vWeights ? sortWithWeights(v, vWeights) : [Float64Array.from(v).sort(), null];
  return sortedWasserstein(us, uw, vs, vw);
}

function sortedWasserstein(
  us: Float64Array,
  uw: Float64Array | null,
  vs: Float64Array,
  vw: Float64Array | null,
): number {
  const nu = us.length;
  const nv = vs.length;
  const all = new Float64Array(nu + nv);
  for (let i = 0, j = 0, k = 0; k < all.length; k++) {
    all[k] = j >= nv || (i < nu && us[i]! <= vs[j]!) ? us[i++]! : vs[j++]!;
  }
  const ucum = uw ? cumulative(uw) : null;
  const vcum = vw ? cumulative(vw) : null;
  const terms = new Float64Array(Math.max(all.length - 1, 0));
  let iu = 0;
  let iv = 0;
  for (let k = 0; k < terms.length; k++) {
    const x = all[k]!;
    while (iu < nu && us[iu]! <= x) iu++;
    while (iv < nv && vs[iv]! <= x) iv++;
    const ucdf = ucum ? ucum[iu]! / ucum[nu]! : iu / nu;
    const vcdf = vcum ? vcum[iv]! / vcum[nv]! : iv / nv;
    terms[k] = Math.abs(ucdf - vcdf) * (all[k + 1]! - x);
  }
  return numpySum(terms);
}

/** `scipy.special.rel_entr` for finite non-negative x, y. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/**
 * `scipy.spatial.distance.jensenshannon(p, q, base)`: both vectors are normalized to sum 1, then
 * sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2, natural log unless `base` is given. A rounding-level
 * negative divergence is taken as 0 (SciPy would return NaN there).
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array, base?: number): number {
  if (p.length !== q.length)
    throw new RangeError(`jensenShannonDistance: lengths ${p.length} and ${q.length}`);
  for (const [arr, what] of [
    [p, "p"],
    [q, "q"],
  ] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!(arr[i]! >= 0 && arr[i]! < Number.POSITIVE_INFINITY)) {
        throw new RangeError(`jensenShannonDistance: ${what}[${i}] must be finite and >= 0, got ${arr[i]}`);
      }
    }
  }
  const sp = numpySum(p);
  const sq = numpySum(q);
  if (!(sp > 0 && sq > 0)) throw new RangeError("jensenShannonDistance: p and q need a positive sum");
  const left = new Float64Array(p.length);
  const right = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = numpySum(left) + numpySum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(js / 2, 0));
}

// ---------------------------------------------------------------------------------------------
// Samples → clean values and distributions
// ---------------------------------------------------------------------------------------------

interface CleanNumeric {
  /** Sorted ascending, finite. */
  values: Float64Array;
  /** Aligned with `values`; null when every value counts once. */
  weights: Float64Array | null;
  /** Rows represented: values.length or the sum of weights. */
  total: number;
  exact: boolean;
}

interface CleanCategorical {
  counts: Map<string, number>;
  total: number;
}

function cleanNumeric(sample: NumericSample): CleanNumeric {
  const { values, weights } = sample;
  if (weights && weights.length !== values.length) {
    throw new RangeError(`numeric sample has ${values.length} values but ${weights.length} weights`);
  }
  if (!weights) {
    let finite = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite++;
    const kept = new Float64Array(finite);
    for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) kept[k++] = values[i]!;
    return { values: kept.sort(), weights: null, total: finite, exact: sample.exact };
  }
  const keep: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!) && weights[i]! > 0 && weights[i]! < Number.POSITIVE_INFINITY)
      keep.push(i);
  }
  const kept = Float64Array.from(keep, (idx) => values[idx]!);
  const keptWeights = Float64Array.from(keep, (idx) => weights[idx]!);
  const [v, w] = sortWithWeights(kept, keptWeights);
  return { values: v, weights: w, total: sumSequential(w), exact: sample.exact };
}

function cleanCategorical(counts: Map<string, number>): CleanCategorical {
  const out = new Map<string, number>();
  let total = 0;
  for (const [key, count] of counts) {
    if (!(count > 0 && count < Number.POSITIVE_INFINITY)) continue;
    out.set(key, count);
    total += count;
  }
  return { counts: out, total };
}

/** A numeric sample as categories keyed by the value's JavaScript string form. */
function numericAsCategories(sample: CleanNumeric): CleanCategorical {
  const counts = new Map<string, number>();
  sample.values.forEach((v, i) => {
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + (sample.weights ? sample.weights[i]! : 1));
  });
  return { counts, total: sample.total };
}

function sumSequential(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function distinctSorted(values: Float64Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) count++;
  return count;
}

/** Distinct values of two sorted arrays together. */
function distinctUnion(a: Float64Array, b: Float64Array): Float64Array {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    out.push(v);
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
  }
  return Float64Array.from(out);
}

/** Code-point order (Python's `sorted` on str), not UTF-16 code-unit order. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done && cb.done ? 0 : ca.done ? -1 : 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Counts of both samples over the same cells (categories, distinct values or histogram bins). */
interface Cells {
  labels: string[];
  ref: Float64Array;
  cur: Float64Array;
  refTotal: number;
  curTotal: number;
  binned: boolean;
}

function categoricalCells(ref: CleanCategorical, cur: CleanCategorical): Cells {
  const labels = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])].sort(compareCodePoints);
  return {
    labels,
    ref: Float64Array.from(labels, (k) => ref.counts.get(k) ?? 0),
    cur: Float64Array.from(labels, (k) => cur.counts.get(k) ?? 0),
    refTotal: ref.total,
    curTotal: cur.total,
    binned: false,
  };
}

/** Sum of weights (or counts) per distinct value, the keys sorted ascending. */
function valueCells(ref: CleanNumeric, cur: CleanNumeric): Cells {
  const keys = distinctUnion(ref.values, cur.values);
  const count = (s: CleanNumeric): Float64Array => {
    const out = new Float64Array(keys.length);
    let k = 0;
    for (let i = 0; i < s.values.length; i++) {
      while (keys[k] !== s.values[i]) k++;
      out[k]! += s.weights ? s.weights[i]! : 1;
    }
    return out;
  };
  return {
    labels: Array.from(keys, (v) => String(v)),
    ref: count(ref),
    cur: count(cur),
    refTotal: ref.total,
    curTotal: cur.total,
    binned: false,
  };
}

/**
 * NumPy's Sturges edges over the combined sample (`np.histogram_bin_edges(a, "sturges")`): width =
 * ptp / (log2(size) + 1), ceil(range / width) equal bins, edges = `np.linspace(min, max, bins + 1)`.
 * With weights, `size` is the number of rows they represent.
 */
function sturgesEdges(min: number, max: number, size: number): Float64Array {
  // A range beyond the double range (NumPy raises there): the same bins computed on halved values.
  if (!Number.isFinite(max - min)) return sturgesEdges(min / 2, max / 2, size).map((e) => e * 2);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** `np.histogram(values, edges)`: bins are [e_i, e_i+1), the last one closed. */
function histogram(s: CleanNumeric, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  for (let i = 0; i < s.values.length; i++) {
    const x = s.values[i]!;
    let lo = 0;
    let hi = bins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    out[lo]! += s.weights ? s.weights[i]! : 1;
  }
  return out;
}

function binnedCells(ref: CleanNumeric, cur: CleanNumeric): Cells {
  const min = Math.min(ref.values[0]!, cur.values[0]!);
  const max = Math.max(ref.values[ref.values.length - 1]!, cur.values[cur.values.length - 1]!);
  const edges = sturgesEdges(min, max, ref.total + cur.total);
  const labels: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    labels.push(`[${edges[i]}, ${edges[i + 1]}${i + 2 === edges.length ? "]" : ")"}`);
  }
  return {
    labels,
    ref: histogram(ref, edges),
    cur: histogram(cur, edges),
    refTotal: ref.total,
    curTotal: cur.total,
    binned: true,
  };
}

/** Evidently's `get_binned_data` cells: Sturges bins when the reference has > 20 distinct values. */
function numericCells(ref: CleanNumeric, cur: CleanNumeric): Cells {
  return distinctSorted(ref.values) > MAX_DISTINCT_WITHOUT_BINS
    ? binnedCells(ref, cur)
    : valueCells(ref, cur);
}

function shares(counts: Float64Array, total: number): Float64Array {
  return counts.map((c) => c / total);
}

/** Evidently's `feel_zeroes`: empty cells get min(non-zero share)/1e6 when that is <= 1e-4, else 1e-4. */
function fillEmptyShares(values: Float64Array): Float64Array {
  let minNonZero = Number.POSITIVE_INFINITY;
  for (const v of values) if (v !== 0 && v < minNonZero) minNonZero = v;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  return values.map((v) => (v === 0 ? fill : v));
}

// ---------------------------------------------------------------------------------------------
// columnDrift
// ---------------------------------------------------------------------------------------------

type Prepared =
  | { kind: "numeric"; ref: CleanNumeric; cur: CleanNumeric; notes: string[] }
  | { kind: "categorical"; ref: CleanCategorical; cur: CleanCategorical; notes: string[] };

function prepare(reference: ColumnSample, current: ColumnSample): Prepared {
  if (reference.kind === "numeric" && current.kind === "numeric") {
    const notes: string[] = [];
    if (!reference.exact || !current.exact) notes.push("approximate: computed from a sketch of the data");
    return { kind: "numeric", ref: cleanNumeric(reference), cur: cleanNumeric(current), notes };
  }
  const toCategories = (s: ColumnSample): CleanCategorical =>
    s.kind === "numeric" ? numericAsCategories(cleanNumeric(s)) : cleanCategorical(s.counts);
  const notes =
    reference.kind === current.kind
      ? []
      : [`reference is ${reference.kind} and current is ${current.kind}: values compared as categories`];
  return { kind: "categorical", ref: toCategories(reference), cur: toCategories(current), notes };
}

function uniqueCount(p: Prepared): number {
  if (p.kind === "numeric") return distinctUnion(p.ref.values, p.cur.values).length;
  return new Set([...p.ref.counts.keys(), ...p.cur.counts.keys()]).size;
}

/** Evidently's `auto` (PRODUCT.md 3.1): which test a column gets. */
function autoMethod(p: Prepared): DriftMethod {
  const unique = uniqueCount(p);
  if (p.ref.total <= SMALL_REFERENCE_ROWS) {
    if (p.kind === "numeric" && unique > 5) return "ks";
    if (unique > 2) return "chisquare";
    return "z";
  }
  return p.kind === "numeric" && unique > 5 ? "wasserstein" : "jensenshannon";
}

interface TestResult {
  statistic: number | null;
  p_value: number | null;
  /** Set when the result is decided without comparing to the threshold. */
  drifted?: boolean;
  notes: string[];
}

function cellsFor(p: Prepared): Cells {
  return p.kind === "numeric" ? numericCells(p.ref, p.cur) : categoricalCells(p.ref, p.cur);
}

/** The z-test keeps numeric values as categories (never bins). */
function categoryCellsFor(p: Prepared): Cells {
  return p.kind === "numeric" ? valueCells(p.ref, p.cur) : categoricalCells(p.ref, p.cur);
}

function listLabels(labels: string[]): string {
  const shown = labels.slice(0, 5).join(", ");
  return labels.length > 5 ? `${shown} and ${labels.length - 5} more` : shown;
}

function runKs(p: Prepared): TestResult {
  if (p.kind !== "numeric") throw new Error("unreachable: ks on categories");
  const { ref, cur } = p;
  const d = ksStatistic(ref.values, ref.weights, cur.values, cur.weights);
  const n1 = ref.weights ? Math.max(1, Math.round(ref.total)) : ref.values.length;
  const n2 = cur.weights ? Math.max(1, Math.round(cur.total)) : cur.values.length;
  const r = ksPValue(d, n1, n2, "auto");
  return { statistic: r.statistic, p_value: r.pvalue, notes: [] };
}

/** Evidently's normed Wasserstein: W(ref, cur) / max(population std of ref, 0.001). */
function runWasserstein(p: Prepared): TestResult {
  if (p.kind !== "numeric") throw new Error("unreachable: wasserstein on categories");
  const { ref, cur } = p;
  const w = sortedWasserstein(ref.values, ref.weights, cur.values, cur.weights);
  const std = populationStd(ref);
  if (!Number.isFinite(w) || !Number.isFinite(std)) {
    return { statistic: null, p_value: null, notes: ["values too large: the distance overflows a double"] };
  }
  const notes: string[] = [];
  if (std < MIN_WASSERSTEIN_NORM) {
    notes.push(
      std === 0
        ? "reference is constant (std 0): distance divided by 0.001 as Evidently does"
        : `reference std ${std} < 0.001: distance divided by 0.001 as Evidently does`,
    );
  }
  return { statistic: w / Math.max(std, MIN_WASSERSTEIN_NORM), p_value: null, notes };
}

/** np.std (ddof 0) with NumPy's pairwise sums; weighted as np.average would. */
function populationStd(s: CleanNumeric): number {
  const { values, weights } = s;
  if (!weights) {
    const mean = numpySum(values) / values.length;
    return Math.sqrt(numpySum(values.map((v) => (v - mean) * (v - mean))) / values.length);
  }
  const total = numpySum(weights);
  const mean = numpySum(values.map((v, i) => v * weights[i]!)) / total;
  return Math.sqrt(numpySum(values.map((v, i) => (v - mean) * (v - mean) * weights[i]!)) / total);
}

/** Evidently's chi-square: expected = reference counts × (current rows / reference rows). */
function runChiSquare(p: Prepared): TestResult {
  const cells = cellsFor(p);
  const onlyCurrent = cells.labels.filter((_, i) => cells.ref[i] === 0 && cells.cur[i]! > 0);
  if (onlyCurrent.length > 0) {
    const what = cells.binned ? "bins empty in the reference" : "categories only in the current data";
    return { statistic: null, p_value: 0, drifted: true, notes: [`${what}: ${listLabels(onlyCurrent)}`] };
  }
  const kNorm = cells.curTotal / cells.refTotal;
  const res = pearsonChiSquare(
    cells.cur,
    cells.ref.map((c) => c * kNorm),
  );
  const categories = cells.labels.filter((_, i) => cells.ref[i]! > 0 || cells.cur[i]! > 0).length;
  const notes = categories < 2 ? ["only one category: nothing to compare (p-value 1)"] : [];
  return { statistic: res.statistic, p_value: res.pvalue, notes };
}

/** Evidently's two-proportion z-test: share of rows not equal to the first category, pooled variance. */
function runZ(p: Prepared): TestResult {
  const cells = categoryCellsFor(p);
  const present = cells.labels.filter((_, i) => cells.ref[i]! > 0 || cells.cur[i]! > 0).length;
  if (present < 2) return { statistic: 0, p_value: 1, notes: ["one value in both samples"] };
  const n1 = cells.refTotal;
  const n2 = cells.curTotal;
  const p1 = (n1 - cells.ref[0]!) / n1;
  const p2 = (n2 - cells.cur[0]!) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const notes = present > 2 ? [`${present} values: "${cells.labels[0]}" vs the rest`] : [];
  return { statistic: z, p_value: 2 * normalSurvival(Math.abs(z)), notes };
}

function runJensenShannon(p: Prepared): TestResult {
  const cells = cellsFor(p);
  const d = jensenShannonDistance(shares(cells.ref, cells.refTotal), shares(cells.cur, cells.curTotal));
  return { statistic: d, p_value: null, notes: [] };
}

/** Evidently's PSI: Σ (r − c) ln(r / c) over filled shares, summed in order. */
function runPsi(p: Prepared): TestResult {
  const cells = cellsFor(p);
  const r = fillEmptyShares(shares(cells.ref, cells.refTotal));
  const c = fillEmptyShares(shares(cells.cur, cells.curTotal));
  let psi = 0;
  for (let i = 0; i < r.length; i++) psi += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return { statistic: psi, p_value: null, notes: [] };
}

/** Evidently's KL divergence: `scipy.stats.entropy(ref_shares, cur_shares)` over filled shares. */
function runKl(p: Prepared): TestResult {
  const cells = cellsFor(p);
  const r = fillEmptyShares(shares(cells.ref, cells.refTotal));
  const c = fillEmptyShares(shares(cells.cur, cells.curTotal));
  const sr = numpySum(r);
  const sc = numpySum(c);
  const terms = r.map((ri, i) => relEntr(ri / sr, c[i]! / sc));
  return { statistic: numpySum(terms), p_value: null, notes: [] };
}

/** Hellinger distance sqrt(1 − Σ sqrt(r c)) over the shares (Evidently's categorical formula). */
function runHellinger(p: Prepared): TestResult {
  const cells = cellsFor(p);
  const r = shares(cells.ref, cells.refTotal);
  const c = shares(cells.cur, cells.curTotal);
  let bc = 0;
  for (let i = 0; i < r.length; i++) bc += Math.sqrt(r[i]! * c[i]!);
  bc = Math.min(Math.max(bc, 0), 1);
  return { statistic: Math.sqrt(1 - bc), p_value: null, notes: [] };
}

const RUNNERS: Record<DriftMethod, (p: Prepared) => TestResult> = {
  ks: runKs,
  chisquare: runChiSquare,
  z: runZ,
  wasserstein: runWasserstein,
  jensenshannon: runJensenShannon,
  psi: runPsi,
  kl: runKl,
  hellinger: runHellinger,
};

const NUMERIC_ONLY: ReadonlySet<DriftMethod> = new Set(["ks", "wasserstein"]);

/** How the threshold is compared (Evidently): ks p ≤ t; chisquare and z p < t; the rest statistic ≥ t. */
function isDrifted(method: DriftMethod, r: TestResult, threshold: number): boolean {
  if (r.drifted !== undefined) return r.drifted;
  if (method === "ks") return r.p_value !== null && r.p_value <= threshold;
  if (method === "chisquare" || method === "z") return r.p_value !== null && r.p_value < threshold;
  return r.statistic !== null && r.statistic >= threshold;
}

/**
 * Drift of one column between a reference and a current sample (PRODUCT.md 3.1/3.2). `auto` picks the
 * test as Evidently does; an explicit method uses its default threshold unless one is given.
 */
export function columnDrift(
  name: string,
  reference: ColumnSample,
  current: ColumnSample,
  opts: { method: "auto" | DriftMethod; threshold?: number },
): ColumnDrift {
  const prepared = prepare(reference, current);
  const method = opts.method === "auto" ? autoMethod(prepared) : opts.method;
  if (NUMERIC_ONLY.has(method) && prepared.kind !== "numeric") {
    throw new UserError(
      `column "${name}": drift method "${method}" needs numeric values on both sides; ` +
        "use chisquare, z, jensenshannon, psi, kl or hellinger for categorical columns",
    );
  }
  const threshold = opts.threshold ?? DEFAULT_DRIFT_THRESHOLDS[method];
  if (!Number.isFinite(threshold)) {
    throw new UserError(`column "${name}": drift threshold must be a finite number, got ${threshold}`);
  }
  const base = { name, kind: prepared.kind, method, threshold };
  if (prepared.ref.total === 0 || prepared.cur.total === 0) {
    return { ...base, statistic: null, p_value: null, drifted: false, note: "no values" };
  }
  const result = RUNNERS[method](prepared);
  const notes = [...prepared.notes, ...result.notes];
  // Safety net for the "never NaN" contract: a non-finite number becomes null with a note.
  for (const field of ["statistic", "p_value"] as const) {
    const v = result[field];
    if (v !== null && !Number.isFinite(v)) {
      result[field] = null;
      notes.push(`${field} not computable (${v})`);
    }
  }
  const drifted = isDrifted(method, result, threshold);
  const out: ColumnDrift = { ...base, statistic: result.statistic, p_value: result.p_value, drifted };
  if (notes.length > 0) out.note = notes.join("; ");
  return out;
}

/** Dataset drift: drifted when the share of drifted columns ≥ `share` (Evidently's default 0.5). */
export function datasetDrift(
  columns: ColumnDrift[],
  share = 0.5,
): { drifted_columns: number; share_drifted: number; dataset_drifted: boolean } {
  const drifted = columns.filter((c) => c.drifted).length;
  const shareDrifted = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    drifted_columns: drifted,
    share_drifted: shareDrifted,
    dataset_drifted: columns.length > 0 && shareDrifted >= share,
  };
}
