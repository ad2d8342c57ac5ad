/**
 * How sure are the metrics (issue 4): seeded bootstrap percentile intervals for every metric, and the
 * paired comparison of a model with its baseline on the same rows (paired bootstrap for every delta,
 * McNemar's test for accuracy, DeLong's test for binary ROC AUC). Pure: no I/O.
 *
 * Bootstrap: each resample gives every row a Poisson(1) weight (the "Poisson bootstrap", Hanley &
 * MacGibbon 2006; Chamandy et al. 2012), i.e. the row is counted 0, 1, 2, ... times; the metrics of the
 * resample are the weighted metrics of metrics.ts (= the metrics of the rows repeated that often), and the
 * interval is the percentile interval of the resampled values (np.percentile, linear interpolation).
 * A metric undefined in a resample (ROC AUC when the resample holds one class) skips that resample; an
 * interval needs the metric in at least half of the resamples, otherwise it is left out.
 * Seeds: resample r draws from xoshiro128** seeded with the 128-bit cyrb128 hash of `${seed}#${r}`, so
 * reruns with the same seed (the commit SHA) give the same intervals, on any machine.
 */
import { delongPairedTest } from "./delong.js";
import type { MetricResampler } from "./metrics.js";
import type { PredictionInputs, PreparedPredictions } from "./prediction-table.js";
import { chiSquareSurvival } from "./special-functions.js";

export interface BootstrapOptions {
  /** number of resamples (default 1000) */
  resamples?: number;
  /** interval coverage, and 1 - significance level (default 0.95) */
  confidence?: number;
  /** any string; mlgate passes the commit SHA */
  seed: string;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_CONFIDENCE = 0.95;

/* ------------------------------------------------------------------------------------------------ */
/* Seeded Poisson(1) weights                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/** cyrb128 (bryc, public domain): four 32-bit words of hash from a string; the xoshiro128** seed. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** Thresholds T_k = round(2^32 · P(X <= k)) of Poisson(1): a 32-bit uniform u gives X = #{k : u >= T_k}. */
const POISSON_THRESHOLDS: number[] = (() => {
  const out: number[] = [];
  let term = Math.exp(-1);
  let cdf = 0;
  for (let k = 0; ; k++) {
    cdf += term;
    term /= k + 1;
    const t = Math.round(cdf * 2 ** 32);
    if (t >= 2 ** 32) return out;
    out.push(t);
  }
})();

/**
 * Poisson value of every u with the same top byte, or 255 when the byte's range straddles a threshold
 * (about 2% of bytes); those fall back to comparing with the thresholds.
 */
const POISSON_BY_TOP_BYTE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  const count = (u: number) => POISSON_THRESHOLDS.filter((t) => u >= t).length;
  for (let b = 0; b < 256; b++) {
    const first = count(b * 2 ** 24);
    table[b] = first === count((b + 1) * 2 ** 24 - 1) ? first : 255;
  }
  return table;
})();

function poissonSlow(u: number): number {
  let k = 0;
  while (k < POISSON_THRESHOLDS.length && u >= POISSON_THRESHOLDS[k]!) k++;
  return k;
}

/**
 * POISSON_BY_TOP_BYTE shifted into byte k of a little-endian 32-bit word: OR-ing four lookups packs the
 * counts of four rows into one store. A straddling byte shows up as 0xff, so its bit 7 is set (counts
 * never exceed 15).
 */
const packedTable = (shift: number) => Int32Array.from(POISSON_BY_TOP_BYTE, (count) => count << shift);
const POISSON_BYTE0 = packedTable(0);
const POISSON_BYTE1 = packedTable(8);
const POISSON_BYTE2 = packedTable(16);
const POISSON_BYTE3 = packedTable(24);
const STRADDLES = 0x80808080 | 0;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Fills `out` with independent Poisson(1) counts for resample `resample` of `seed`, drawn from
 * xoshiro128** 1.1 (Blackman & Vigna 2018) seeded with cyrb128(`${seed}#${resample}`).
 *
 * Each count inverts the Poisson(1) CDF at a 32-bit uniform u, but u is read lazily: its top byte alone
 * decides the count about 98% of the time, so one 32-bit output of the generator serves four rows (row
 * 4i + k reads byte 3 - k), and only a row whose byte straddles a threshold takes its 24 lower bits from a
 * fresh output. The counts are distributed exactly as by the full 32-bit inversion (thresholds rounded to
 * 2^-32), and the same (seed, resample) gives the same counts for any length prefix.
 */
export function fillPoissonWeights(out: Uint8Array, seed: string, resample: number): void {
  const state = Int32Array.from(cyrb128(`${seed}#${resample}`));
  if (state.every((word) => word === 0)) state[0] = 1; // the all-zero state is the generator's fixed point
  const aligned = LITTLE_ENDIAN && out.byteOffset % 4 === 0;
  const target = aligned ? out : new Uint8Array(out.length);
  const fullWords = out.length >> 2;
  const words = new Int32Array(target.buffer, target.byteOffset, fullWords);
  // Short stretches let V8 optimize poissonStretch as a whole function (see PASS_CHUNK in metrics.ts).
  for (let start = 0; start < fullWords; start += POISSON_CHUNK) {
    poissonStretch(words, start, Math.min(fullWords, start + POISSON_CHUNK), state);
  }
  if (out.length % 4 !== 0) {
    // The last 1-3 rows: one more word, of which only the first bytes are used.
    const last = new Int32Array(1);
    poissonStretch(last, 0, 1, state);
    target.set(new Uint8Array(last.buffer, 0, out.length % 4), fullWords * 4);
  }
  if (!aligned) out.set(target);
}

/** Generator outputs (words of four packed counts) per call of poissonStretch. */
const POISSON_CHUNK = 512;

/** Draws words[start..end), four counts each (see fillPoissonWeights). */
function poissonStretch(words: Int32Array, start: number, end: number, state: Int32Array): void {
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  for (let i = start; i < end; i++) {
    // xoshiro128**: result = rotl(s1 * 5, 7) * 9, then the linear state update
    const x = Math.imul(s1, 5);
    const word = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const packed =
      POISSON_BYTE0[word >>> 24]! |
      POISSON_BYTE1[(word >>> 16) & 255]! |
      POISSON_BYTE2[(word >>> 8) & 255]! |
      POISSON_BYTE3[word & 255]!;
    if ((packed & STRADDLES) === 0) {
      words[i] = packed;
      continue;
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
    words[i] = poissonWordSlow(word, state);
    s0 = state[0]!;
    s1 = state[1]!;
    s2 = state[2]!;
    s3 = state[3]!;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** The rare word of poissonStretch: each straddling byte is completed with 24 fresh bits. */
function poissonWordSlow(word: number, state: Int32Array): number {
  let packed = 0;
  for (let k = 0; k < 4; k++) {
    const byte = (word >>> (24 - 8 * k)) & 255;
    const fast = POISSON_BY_TOP_BYTE[byte]!;
    const count = fast === 255 ? poissonSlow(byte * 2 ** 24 + (nextUint32(state) >>> 8)) : fast;
    packed |= count << (8 * k);
  }
  return packed;
}

/** One xoshiro128** output (uint32) from the state in `state`, which it advances. */
function nextUint32(state: Int32Array): number {
  const s1 = state[1]!;
  const x = Math.imul(s1, 5);
  const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
  const t = s1 << 9;
  state[2]! ^= state[0]!;
  state[3]! ^= s1;
  state[1]! ^= state[2]!;
  state[0]! ^= state[3]!;
  state[2]! ^= t;
  state[3] = (state[3]! << 11) | (state[3]! >>> 21);
  return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* Percentile intervals                                                                               */
/* ------------------------------------------------------------------------------------------------ */

interface ResolvedOptions {
  resamples: number;
  confidence: number;
  seed: string;
}

function resolveOptions(opts: BootstrapOptions): ResolvedOptions {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const confidence = opts.confidence ?? DEFAULT_CONFIDENCE;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  }
  return { resamples, confidence, seed: opts.seed };
}

/** np.percentile(values, 100·q) with the default linear interpolation; `sorted` ascending, non-empty. */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Collects one metric's resampled values (NaN = undefined in that resample, skipped). */
class Samples {
  private readonly values: Float64Array;
  private count = 0;

  constructor(private readonly resamples: number) {
    this.values = new Float64Array(resamples);
  }

  add(value: number): void {
    if (!Number.isNaN(value)) this.values[this.count++] = value;
  }

  /** Percentile interval, or null when the metric was defined in fewer than half of the resamples. */
  interval(confidence: number): [number, number] | null {
    if (this.count === 0 || this.count * 2 < this.resamples) return null;
    const sorted = this.values.slice(0, this.count).sort();
    const tail = (1 - confidence) / 2;
    return [percentile(sorted, tail), percentile(sorted, 1 - tail)];
  }
}

/**
 * Bootstrap percentile interval of every metric of `p` (keys as in p.evaluate()). Metrics without an
 * interval (undefined on the data, or in more than half of the resamples) are absent.
 */
export function bootstrapIntervals(
  p: PreparedPredictions,
  opts: BootstrapOptions,
): Record<string, [number, number]> {
  const { resamples, confidence, seed } = resolveOptions(opts);
  const engine = p.resampler();
  const samples = engine.names.map(() => new Samples(resamples));
  const weights = new Uint8Array(p.n);
  const out = new Float64Array(engine.names.length);
  for (let r = 0; r < resamples; r++) {
    // Weights are i.i.d., so they are drawn straight in the resampler's position order.
    fillPoissonWeights(weights, seed, r);
    engine.evaluate(weights, out);
    for (let m = 0; m < samples.length; m++) samples[m]!.add(out[m]!);
  }
  const intervals: Record<string, [number, number]> = {};
  engine.names.forEach((name, m) => {
    const ci = samples[m]!.interval(confidence);
    if (ci !== null) intervals[name] = ci;
  });
  return intervals;
}

/* ------------------------------------------------------------------------------------------------ */
/* McNemar's test                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

/** Below this many discordant pairs McNemar's test is exact (binomial), from it on chi-square. */
export const MCNEMAR_EXACT_BELOW = 25;

export interface McNemarResult {
  /** rows the first model gets right and the second wrong */
  b: number;
  /** rows the first model gets wrong and the second right */
  c: number;
  method: "exact" | "chi-square";
  /** chi-square statistic (|b - c| - 1)² / (b + c); null for the exact test */
  statistic: number | null;
  p_value: number;
}

/**
 * McNemar's test of equal error rates on paired rows, as statsmodels' `mcnemar(exact=b + c < 25,
 * correction=True)`: exact two-sided binomial p = scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue
 * = min(1, 2·P(X <= min(b, c))); otherwise the continuity-corrected statistic (|b - c| - 1)² / (b + c)
 * with p = scipy.stats.chi2.sf(statistic, 1). No discordant pair: p = 1.
 */
export function mcnemarTest(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n < MCNEMAR_EXACT_BELOW) {
    // C(n, i) / 2^n summed exactly: every term is an integer below 2^53 for n < 25.
    let tail = 0;
    let choose = 1;
    for (let i = 0; i <= Math.min(b, c); i++) {
      tail += choose;
      choose = (choose * (n - i)) / (i + 1);
    }
    return { b, c, method: "exact", statistic: null, p_value: Math.min(1, (2 * tail) / 2 ** n) };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: "chi-square", statistic, p_value: chiSquareSurvival(statistic, 1) };
}

/* ------------------------------------------------------------------------------------------------ */
/* Paired comparison                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

export interface PairedDelta {
  metric: string;
  current: number | null;
  baseline: number | null;
  /** current - baseline */
  delta: number | null;
  /** interval of the delta: DeLong's for binary roc_auc, the paired-bootstrap percentile interval otherwise */
  ci: [number, number] | null;
  /** McNemar's (accuracy) or DeLong's (binary roc_auc) p-value; null for the paired bootstrap */
  p_value: number | null;
  /** the test that decides `significant` */
  test: "paired-bootstrap" | "mcnemar" | "delong";
  /** bootstrap: the interval excludes 0; McNemar and DeLong: p < 1 - confidence; null: cannot tell */
  significant: boolean | null;
}

export type PairedComparison =
  | { comparable: true; deltas: PairedDelta[] }
  | { comparable: false; reason: string };

/**
 * Compares two models' predictions of the same rows, row i of one with row i of the other (the caller
 * matches rows by id first). Not comparable, with the reason, when the task, the classes, the positive
 * class, the number of rows or any row's label differ. Every resample applies the same row weights to both
 * models; the delta's interval is the percentile interval of the resampled deltas.
 */
export function pairedComparison(
  current: PreparedPredictions,
  baseline: PreparedPredictions,
  opts: BootstrapOptions,
): PairedComparison {
  const reason = incomparability(current, baseline);
  if (reason !== null) return { comparable: false, reason };
  const { resamples, confidence, seed } = resolveOptions(opts);
  const engines = [current.resampler(), baseline.resampler()] as const;
  const names = engines[0].names;
  const deltas = names.map(() => new Samples(resamples));
  const rowWeights = new Uint8Array(current.n);
  const positioned = [new Uint8Array(current.n), new Uint8Array(current.n)] as const;
  const outs = [new Float64Array(names.length), new Float64Array(names.length)] as const;
  for (let r = 0; r < resamples; r++) {
    fillPoissonWeights(rowWeights, seed, r);
    for (let e = 0; e < 2; e++) evaluateRowWeights(engines[e]!, rowWeights, positioned[e]!, outs[e]!);
    for (let m = 0; m < names.length; m++) deltas[m]!.add(outs[0][m]! - outs[1][m]!);
  }
  const now = current.evaluate().metrics;
  const before = baseline.evaluate().metrics;
  const alpha = 1 - confidence;
  return {
    comparable: true,
    deltas: names.map((metric, m) => {
      const cur = now[metric] ?? null;
      const base = before[metric] ?? null;
      const delta = cur === null || base === null ? null : cur - base;
      const ci = deltas[m]!.interval(confidence);
      const row: PairedDelta = {
        metric,
        current: cur,
        baseline: base,
        delta,
        ci,
        p_value: null,
        test: "paired-bootstrap",
        significant: ci === null ? null : ci[0] > 0 || ci[1] < 0,
      };
      if (metric === "accuracy") {
        const { b, c } = discordantPairs(current.inputs, baseline.inputs);
        const test = mcnemarTest(b, c);
        return { ...row, test: "mcnemar", p_value: test.p_value, significant: test.p_value < alpha };
      }
      if (metric === "roc_auc" && current.inputs.task === "binary" && baseline.inputs.task === "binary") {
        const test = delongPairedTest(
          current.inputs.y,
          current.inputs.score,
          baseline.inputs.score,
          confidence,
        );
        return {
          ...row,
          test: "delong",
          ci: test === null ? null : test.ci,
          p_value: test?.p_value ?? null,
          significant: test === null || test.p_value === null ? null : test.p_value < alpha,
        };
      }
      return row;
    }),
  };
}

/** Maps row-order weights to the resampler's positions, then evaluates. */
function evaluateRowWeights(
  engine: MetricResampler,
  rowWeights: Uint8Array,
  positioned: Uint8Array,
  out: Float64Array,
): void {
  const order = engine.order;
  if (order === null) {
    engine.evaluate(rowWeights, out);
    return;
  }
  for (let start = 0; start < order.length; start += GATHER_CHUNK) {
    gatherWeights(rowWeights, order, positioned, start, Math.min(order.length, start + GATHER_CHUNK));
  }
  engine.evaluate(positioned, out);
}

const GATHER_CHUNK = 2048;

/** positioned[j] = rowWeights[order[j]] for j in [start, end); in stretches for V8 (see PASS_CHUNK). */
function gatherWeights(
  rowWeights: Uint8Array,
  order: Int32Array,
  positioned: Uint8Array,
  start: number,
  end: number,
): void {
  for (let j = start; j < end; j++) positioned[j] = rowWeights[order[j]!]!;
}

/** b = rows only the current model classifies correctly, c = rows only the baseline does. */
function discordantPairs(current: PredictionInputs, baseline: PredictionInputs): { b: number; c: number } {
  if (current.task === "regression" || baseline.task === "regression") return { b: 0, c: 0 };
  let b = 0;
  let c = 0;
  for (let i = 0; i < current.y.length; i++) {
    const rightNow = current.pred[i] === current.y[i];
    const rightBefore = baseline.pred[i] === baseline.y[i];
    if (rightNow && !rightBefore) b++;
    else if (!rightNow && rightBefore) c++;
  }
  return { b, c };
}

const MATCH_ROWS_FIX =
  "the paired tests need the same evaluation rows in the same order (match the files by id)";

/** Why two prediction sets cannot be compared row by row, or null when they can. */
function incomparability(current: PreparedPredictions, baseline: PreparedPredictions): string | null {
  if (current.task !== baseline.task) {
    return `the tasks differ (current ${current.task}, baseline ${baseline.task})`;
  }
  if (current.n !== baseline.n) {
    return `the evaluation sets differ in size (current ${current.n} rows, baseline ${baseline.n}); ${MATCH_ROWS_FIX}`;
  }
  if (current.n === 0) return "the evaluation set is empty";
  if (current.classes.join("\u0000") !== baseline.classes.join("\u0000")) {
    return `the classes differ (current ${JSON.stringify(current.classes)}, baseline ${JSON.stringify(baseline.classes)})`;
  }
  const a = current.inputs;
  const b = baseline.inputs;
  if (a.task === "binary" && b.task === "binary" && a.positive !== b.positive) {
    return `the positive class differs (current ${JSON.stringify(a.positive)}, baseline ${JSON.stringify(b.positive)})`;
  }
  for (let i = 0; i < current.n; i++) {
    if (a.y[i] !== b.y[i]) {
      return `row ${i + 1}: the labels differ (current ${labelAt(current, i)}, baseline ${labelAt(baseline, i)}); ${MATCH_ROWS_FIX}`;
    }
  }
  return null;
}

function labelAt(p: PreparedPredictions, i: number): string {
  const inputs = p.inputs;
  if (inputs.task === "regression") return String(inputs.y[i]);
  if (inputs.task === "binary") {
    return inputs.y[i] === 1 ? JSON.stringify(inputs.positive) : `not ${JSON.stringify(inputs.positive)}`;
  }
  return JSON.stringify(p.classes[inputs.y[i]!]);
}
