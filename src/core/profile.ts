/**
 * Mergeable column profiles (PRODUCT.md §9): per column the row count, nulls, and
 * - over values that read as numbers: count, min, max, mean and variance (mergeable
 *   moments); every value while there are at most `exact_values` (default 10,000) — so
 *   small data gets exact quantiles and exact drift tests; exact counts per value while
 *   there are at most `exact_counts` (default 1,000) distinct numbers (quantiles stay
 *   exact for such columns at any size); only when both are gone a KLL quantile sketch
 *   (k = 200: rank error ≈ 1.65% at 99% confidence); a histogram derived from those;
 * - over the other values: Misra–Gries counts (k = 1,000 counters: exact while at most
 *   1,000 distinct values, else every count at most n/1,001 low);
 * - a distinct count: exact when both count tables are exact, else HyperLogLog (p = 14,
 *   standard error 0.81%).
 * A value "reads as a number" with the `number` type's grammar of the schema checks
 * (`-1`, `3.`, `.5`, `1e-3`; finite), so `1.50` and `1.5` are one value.
 *
 * Pure: no I/O. `createProfiler` streams rows; `mergeProfiles` combines profiles of
 * shards into the profile of the whole, equal to a one-pass profile exactly for counts,
 * nulls, min/max, kept values and count tables, to rounding for mean/variance, and within
 * the sketches' bounds for quantiles, distinct counts and frequent items.
 */

import { UserError } from "../errors.js";
import {
  FrequentItems,
  type FrequentItemsState,
  mergeFrequentItems,
  mergeNumberCounts,
  NumberCounts,
} from "./sketch/frequent-items.js";
import { equalWidthHistogram } from "./sketch/histogram.js";
import { HyperLogLog, hllStandardError } from "./sketch/hyperloglog.js";
import { KllSketch, type KllState, kllRankError, weightedItemsOf, weightedQuantile } from "./sketch/kll.js";
import {
  Moments,
  type MomentsState,
  mergeMoments,
  populationVariance,
  sampleVariance,
} from "./sketch/moments.js";
import { hashBytes, hashNumber, hashOut, hashText, utf8Scratch } from "./sketch/value-hash.js";
import { NUMBER } from "./value-text.js";

export type Cell = string | number | boolean | null;

export const PROFILE_SCHEMA = "mlgate.profile/v1";
export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
const HISTOGRAM_BINS = 20;

export interface SketchSettings {
  kll_k: number;
  exact_values: number;
  exact_counts: number;
  frequent_k: number;
  hll_p: number;
  seed: number;
}

export const DEFAULT_SKETCH: SketchSettings = {
  kll_k: 200,
  exact_values: 10_000,
  exact_counts: 1_000,
  frequent_k: 1_000,
  hll_p: 14,
  seed: 1,
};

export interface ShardRange {
  index: number;
  /** Byte offset of the first record profiled (a record boundary). */
  start: number;
  /** Byte offset of the first record not profiled: the next shard must start here. */
  end: number;
}

export interface ProfileSource {
  /** The data file as the user named it. */
  name: string;
  format: string | null;
  /** File size; shards of one file must agree. null when not from a file. */
  bytes: number | null;
  /** null: the whole file. Else the byte ranges covered: records starting in [start, end). */
  shard: { count: number; ranges: ShardRange[] } | null;
}

export interface NumbersProfile {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Sum of squared deviations from the mean (what merges need). */
  m2: number;
  /** Population variance (ddof 0). */
  variance: number;
  /** Sample standard deviation (ddof 1, as pandas' describe), null below two values. */
  std: number | null;
  /** Every value, sorted, while count ≤ exact_values; else null. */
  values: number[] | null;
  /** [value, count] ascending, while there are ≤ exact_counts distinct numbers; else null. */
  counts: [number, number][] | null;
  /** The quantile sketch, only when `values` and `counts` are both null. */
  kll: KllState | null;
  /** Derived: quantiles at QUANTILES (exact: linear interpolation as numpy; else KLL items). */
  quantiles: { q: number[]; values: number[]; exact: boolean };
  /** Derived: equal-width bins between min and max. */
  histogram: { edges: number[]; counts: number[]; exact: boolean };
}

export interface ColumnProfile {
  name: string;
  /** numeric: every non-null value reads as a number; categorical: some do not; empty: all null. */
  kind: "numeric" | "categorical" | "empty";
  count: number;
  nulls: number;
  distinct: {
    estimate: number;
    exact: boolean;
    /** HyperLogLog registers (base64) when not exact; exact profiles rebuild them on merge. */
    hll: string | null;
  };
  numbers: NumbersProfile | null;
  /** Counts of the values that do not read as numbers; null when there are none. */
  text: FrequentItemsState | null;
}

export interface Profile {
  schema: typeof PROFILE_SCHEMA;
  source: ProfileSource;
  sketch: SketchSettings;
  rows: number;
  columns: ColumnProfile[];
}

// ---------------------------------------------------------------------------------
// Streaming

/** One column's sketches; the fast CSV path feeds it bytes and parsed numbers directly. */
export class ColumnAccumulator {
  nulls = 0;
  readonly moments = new Moments();
  readonly hll: HyperLogLog;
  readonly numberCounts: NumberCounts;
  readonly items: FrequentItems;
  private exact: Float64Array | null;
  private exactCount = 0;
  private kll: KllSketch | null = null;

  constructor(private readonly settings: SketchSettings) {
    this.exact = settings.exact_values > 0 ? new Float64Array(Math.min(64, settings.exact_values)) : null;
    this.hll = new HyperLogLog(settings.hll_p);
    this.numberCounts = new NumberCounts(settings.exact_counts);
    this.items = new FrequentItems(settings.frequent_k);
  }

  addNull(): void {
    this.nulls++;
  }

  /**
   * A cell that reads as a (finite) number. The values are kept while there are at most
   * `exact_values`; the count table while at most `exact_counts` distinct; only when both
   * are gone does the KLL sketch start — from whichever was kept last, without error.
   */
  addNumber(x: number): void {
    this.moments.add(x);
    const exact = this.exact;
    if (exact !== null && this.exactCount < exact.length) exact[this.exactCount++] = x;
    else if (exact !== null) this.overflowExact(x);
    else if (this.kll !== null) this.kll.add(x);
    hashNumber(x);
    const h1 = hashOut[0]!;
    this.hll.add(h1, hashOut[1]!);
    if (this.numberCounts.add(x, h1)) {
      // just over exact_counts distinct numbers
      const counts = this.numberCounts.takeEntries();
      if (this.exact === null) {
        this.kll = KllSketch.fromCounts(counts, this.settings.kll_k, this.settings.seed);
        this.kll.add(x);
      }
    }
  }

  /** Any other non-null cell, as its UTF-8 bytes. Returns its count-table entry id, or -1. */
  addText(bytes: Uint8Array, view: DataView, start: number, end: number): number {
    hashBytes(bytes, view, start, end);
    const h1 = hashOut[0]!;
    const h2 = hashOut[1]!;
    this.hll.add(h1, h2);
    return this.items.add(bytes, view, start, end, h1, h2);
  }

  finish(name: string, rows: number): ColumnProfile {
    const m = this.moments.state();
    let numbers: NumbersProfile | null = null;
    if (m.n > 0) {
      const values = this.exact === null ? null : Array.from(this.exact.subarray(0, this.exactCount));
      const counts = this.numberCounts.entries();
      numbers = numbersProfile(
        m,
        values,
        values === null && counts === null ? this.kll!.state() : null,
        counts,
      );
    }
    const text = this.items.n > 0 ? this.items.state() : null;
    return columnProfile(name, rows, this.nulls, numbers, text, () => this.hll);
  }

  /** The kept values are full: grow them up to exact_values, or let them go. */
  private overflowExact(x: number): void {
    const exact = this.exact!;
    const limit = this.settings.exact_values;
    if (exact.length < limit) {
      const grown = new Float64Array(Math.min(exact.length * 2, limit));
      grown.set(exact);
      grown[this.exactCount++] = x;
      this.exact = grown;
      return;
    }
    this.exact = null;
    if (this.numberCounts.dropped) {
      // the count table is gone too: the sketch starts from the kept values, in their order
      const kll = new KllSketch(this.settings.kll_k, this.settings.seed);
      for (let i = 0; i < this.exactCount; i++) kll.add(exact[i]!);
      kll.add(x);
      this.kll = kll;
    }
  }
}

export interface ProfilerOptions {
  sketch?: Partial<SketchSettings>;
  source?: Partial<ProfileSource>;
}

export interface Profiler {
  readonly columns: readonly ColumnAccumulator[];
  /** One row of cells (strings from CSV, native values from JSONL/Parquet). */
  add(values: readonly Cell[]): void;
  /** For readers that feed `columns` directly: counts rows. */
  countRows(n: number): void;
  finish(): Profile;
}

export function createProfiler(columns: string[], opts: ProfilerOptions = {}): Profiler {
  const settings = sketchSettings(opts.sketch);
  const accumulators = columns.map(() => new ColumnAccumulator(settings));
  let rows = 0;
  return {
    columns: accumulators,
    add(values) {
      rows++;
      for (let c = 0; c < accumulators.length; c++) addCell(accumulators[c]!, values[c] ?? null);
    },
    countRows(n) {
      rows += n;
    },
    finish() {
      return {
        schema: PROFILE_SCHEMA,
        source: { name: "", format: null, bytes: null, shard: null, ...opts.source },
        sketch: settings,
        rows,
        columns: accumulators.map((acc, c) => acc.finish(columns[c]!, rows)),
      };
    },
  };
}

export function sketchSettings(overrides: Partial<SketchSettings> = {}): SketchSettings {
  const settings = { ...DEFAULT_SKETCH };
  for (const key of Object.keys(settings) as (keyof SketchSettings)[]) {
    const value = overrides[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

/** The number grammar of the schema checks' `number` type. */

/** A cell's value as a number when it reads as one (finite), else NaN. */
export function cellNumber(cell: Exclude<Cell, null>): number {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : Number.NaN;
  if (typeof cell === "boolean") return Number.NaN;
  const c0 = cell.charCodeAt(0); // a number starts with a digit, a sign or a dot: skip the regex otherwise
  if (!(c0 <= 0x39 && (c0 >= 0x30 || c0 === 0x2e || c0 === 0x2b || c0 === 0x2d)) || !NUMBER.test(cell)) {
    return Number.NaN;
  }
  const n = Number(cell);
  return Number.isFinite(n) ? n : Number.NaN;
}

function addCell(acc: ColumnAccumulator, cell: Cell): void {
  if (cell === null) {
    acc.addNull();
    return;
  }
  const n = cellNumber(cell);
  if (!Number.isNaN(n)) {
    acc.addNumber(n);
    return;
  }
  const { bytes, view, length } = utf8Scratch(typeof cell === "string" ? cell : String(cell));
  acc.addText(bytes, view, 0, length);
}

// ---------------------------------------------------------------------------------
// Building and merging column profiles

function numbersProfile(
  m: MomentsState,
  values: number[] | null,
  kll: KllState | null,
  counts: [number, number][] | null,
): NumbersProfile {
  const min = m.min!;
  const max = m.max!;
  let quantiles: NumbersProfile["quantiles"];
  let histogram: NumbersProfile["histogram"];
  const q = [...QUANTILES];
  if (values !== null) {
    values.sort((a, b) => a - b);
    quantiles = { q, values: q.map((p) => linearQuantile(values, p)), exact: true };
    histogram = { ...equalWidthHistogram(values, null, min, max, HISTOGRAM_BINS), exact: true };
  } else if (counts !== null) {
    const points = counts.map((c) => c[0]);
    const weights = counts.map((c) => c[1]);
    quantiles = { q, values: q.map((p) => countsQuantile(counts, m.n, p)), exact: true };
    histogram = { ...equalWidthHistogram(points, weights, min, max, HISTOGRAM_BINS), exact: true };
  } else {
    const items = weightedItemsOf(kll!);
    quantiles = {
      q,
      values: q.map((p) => Math.min(max, Math.max(min, weightedQuantile(items.values, items.weights, p)!))),
      exact: false,
    };
    histogram = {
      ...equalWidthHistogram(items.values, items.weights, min, max, HISTOGRAM_BINS),
      exact: false,
    };
  }
  return {
    count: m.n,
    min,
    max,
    mean: m.mean,
    m2: m.m2,
    variance: populationVariance(m)!,
    std: m.n < 2 ? null : Math.sqrt(sampleVariance(m)!),
    values,
    counts,
    kll: values === null && counts === null ? kll : null,
    quantiles,
    histogram,
  };
}

/** numpy's linear quantile of the multiset given by ascending [value, count] (n values in all). */
function countsQuantile(counts: [number, number][], n: number, q: number): number {
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const f = pos - lo;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const [value, count] = counts[i]!;
    seen += count;
    if (seen > lo) {
      if (f === 0) return value;
      const next = seen > lo + 1 ? value : counts[i + 1]![0];
      const v = value + (next - value) * f;
      return Number.isFinite(v) ? v : value * (1 - f) + next * f;
    }
  }
  return counts[counts.length - 1]![0];
}

/** numpy's default (linear) quantile of sorted values. */
function linearQuantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const f = pos - lo;
  const a = sorted[lo]!;
  if (f === 0) return a;
  const b = sorted[lo + 1]!;
  const v = a + (b - a) * f;
  return Number.isFinite(v) ? v : a * (1 - f) + b * f;
}

function columnProfile(
  name: string,
  rows: number,
  nulls: number,
  numbers: NumbersProfile | null,
  text: FrequentItemsState | null,
  hll: () => HyperLogLog,
): ColumnProfile {
  const numbersExact = numbers === null || numbers.counts !== null;
  const textExact = text === null || text.error === 0;
  let distinct: ColumnProfile["distinct"];
  if (numbersExact && textExact) {
    distinct = {
      estimate: (numbers?.counts?.length ?? 0) + (text?.items.length ?? 0),
      exact: true,
      hll: null,
    };
  } else {
    const sketch = hll();
    distinct = {
      estimate: Math.round(sketch.estimate()),
      exact: false,
      hll: Buffer.from(sketch.registers).toString("base64"),
    };
  }
  return {
    name,
    kind: rows === nulls ? "empty" : text === null ? "numeric" : "categorical",
    count: rows,
    nulls,
    distinct,
    numbers,
    text,
  };
}

/** The HyperLogLog of a column profile: stored, or rebuilt from its exact count tables. */
function hllOf(col: ColumnProfile, p: number): HyperLogLog {
  if (col.distinct.hll !== null) {
    return new HyperLogLog(p, new Uint8Array(Buffer.from(col.distinct.hll, "base64")));
  }
  const sketch = new HyperLogLog(p);
  for (const [value] of col.numbers?.counts ?? []) {
    hashNumber(value);
    sketch.add(hashOut[0]!, hashOut[1]!);
  }
  for (const [value] of col.text?.items ?? []) {
    hashText(value);
    sketch.add(hashOut[0]!, hashOut[1]!);
  }
  return sketch;
}

function kllOf(numbers: NumbersProfile, settings: SketchSettings): KllSketch {
  if (numbers.kll !== null) return KllSketch.fromState(numbers.kll);
  if (numbers.counts !== null) return KllSketch.fromCounts(numbers.counts, settings.kll_k, settings.seed);
  const sketch = new KllSketch(settings.kll_k, settings.seed);
  for (const v of numbers.values ?? []) sketch.add(v);
  return sketch;
}

function momentsOf(n: NumbersProfile): MomentsState {
  return { n: n.count, mean: n.mean, m2: n.m2, min: n.min, max: n.max };
}

function mergeNumbers(a: NumbersProfile, b: NumbersProfile, settings: SketchSettings): NumbersProfile {
  const m = mergeMoments(momentsOf(a), momentsOf(b));
  let values: number[] | null = null;
  let kll: KllState | null = null;
  const counts = mergeNumberCounts(a.counts, b.counts, settings.exact_counts);
  if (a.values !== null && b.values !== null && a.count + b.count <= settings.exact_values) {
    values = [...a.values, ...b.values];
  } else if (counts === null) {
    const sketch = kllOf(a, settings);
    sketch.merge(kllOf(b, settings));
    kll = sketch.state();
  }
  return numbersProfile(m, values, kll, counts);
}

function mergeColumns(a: ColumnProfile, b: ColumnProfile, settings: SketchSettings): ColumnProfile {
  const numbers =
    a.numbers && b.numbers
      ? mergeNumbers(a.numbers, b.numbers, settings)
      : cloneNumbers(a.numbers ?? b.numbers);
  const text = a.text && b.text ? mergeFrequentItems(a.text, b.text) : (a.text ?? b.text);
  return columnProfile(a.name, a.count + b.count, a.nulls + b.nulls, numbers, text, () => {
    const sketch = hllOf(a, settings.hll_p);
    sketch.merge(hllOf(b, settings.hll_p));
    return sketch;
  });
}

function cloneNumbers(n: NumbersProfile | null): NumbersProfile | null {
  return n === null ? null : structuredClone(n);
}

/**
 * Merges profiles of shards of one file (or of one file's byte ranges) into one profile.
 * `names` (e.g. the profile files) make the errors point at the input.
 */
export function mergeProfiles(profiles: readonly Profile[], names?: readonly string[]): Profile {
  const first = profiles[0];
  if (first === undefined)
    throw new UserError("merge-profiles: no profiles given. Pass at least one profile file.");
  const nameOf = (i: number) => names?.[i] ?? `profile ${i + 1}`;
  const problems: string[] = [];
  profiles.forEach((p, i) => {
    if (i === 0) return;
    if (p.source.name !== first.source.name || p.source.bytes !== first.source.bytes) {
      problems.push(
        `${nameOf(i)}: profiles a different source (${describeSource(p.source)}) than ${nameOf(0)} ` +
          `(${describeSource(first.source)}). Merge only shards of the same file.`,
      );
    }
    const cols = p.columns.map((c) => c.name);
    const firstCols = first.columns.map((c) => c.name);
    if (cols.length !== firstCols.length || cols.some((c, j) => c !== firstCols[j])) {
      problems.push(
        `${nameOf(i)}: columns [${cols.join(", ")}] differ from ${nameOf(0)}'s [${firstCols.join(", ")}]. ` +
          "Merge only profiles of the same table.",
      );
    }
    if (JSON.stringify(p.sketch) !== JSON.stringify(first.sketch)) {
      problems.push(
        `${nameOf(i)}: sketch settings ${JSON.stringify(p.sketch)} differ from ${nameOf(0)}'s ` +
          `${JSON.stringify(first.sketch)}. Profile every shard with the same mlgate version and options.`,
      );
    }
  });
  if (problems.length > 0) throw new UserError(problems);
  const order = profiles.map((p, i) => ({ p, i }));
  const shard = mergeShards(order, nameOf);
  order.sort((x, y) => firstShardIndex(x.p) - firstShardIndex(y.p));
  let merged = order[0]!.p;
  for (const { p } of order.slice(1)) {
    merged = {
      schema: PROFILE_SCHEMA,
      source: merged.source,
      sketch: merged.sketch,
      rows: merged.rows + p.rows,
      columns: merged.columns.map((col, c) => mergeColumns(col, p.columns[c]!, first.sketch)),
    };
  }
  return { ...merged, source: { ...first.source, shard } };
}

function describeSource(s: ProfileSource): string {
  return `${s.name || "(unnamed)"}${s.bytes === null ? "" : `, ${s.bytes} bytes`}`;
}

function firstShardIndex(p: Profile): number {
  return p.source.shard?.ranges[0]?.index ?? -1;
}

/** Checks the shards tile the file without overlap; null when together they are the whole file. */
function mergeShards(
  profiles: { p: Profile; i: number }[],
  nameOf: (i: number) => string,
): ProfileSource["shard"] {
  if (profiles.length === 1 && profiles[0]!.p.source.shard === null) return null;
  const whole = profiles.find(({ p }) => p.source.shard === null);
  if (whole !== undefined) {
    throw new UserError(
      `${nameOf(whole.i)}: profiles the whole file, so merging it with other profiles of the same file would ` +
        "count rows twice. Merge only `mlgate profile --shard i/n` profiles.",
    );
  }
  const count = profiles[0]!.p.source.shard!.count;
  const owner = new Map<number, { range: ShardRange; i: number }>();
  const problems: string[] = [];
  for (const { p, i } of profiles) {
    const shard = p.source.shard!;
    if (shard.count !== count) {
      problems.push(
        `${nameOf(i)}: is a shard of ${shard.count}, the others of ${count}. Use the same n in every --shard i/n.`,
      );
      continue;
    }
    for (const range of shard.ranges) {
      const before = owner.get(range.index);
      if (before !== undefined) {
        problems.push(
          `${nameOf(i)}: shard ${range.index}/${count} is also in ${nameOf(before.i)}; merging it twice would ` +
            "count its rows twice. Pass each shard once.",
        );
      } else owner.set(range.index, { range, i });
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  const ranges = [...owner.values()].sort((a, b) => a.range.index - b.range.index);
  for (let j = 1; j < ranges.length; j++) {
    const prev = ranges[j - 1]!;
    const next = ranges[j]!;
    if (next.range.index === prev.range.index + 1 && next.range.start !== prev.range.end) {
      problems.push(
        `${nameOf(next.i)}: shard ${next.range.index}/${count} starts at byte ${next.range.start}, but shard ` +
          `${prev.range.index}/${count} (${nameOf(prev.i)}) ended at byte ${prev.range.end}: the two disagree on where ` +
          "a record starts, which happens when a quoted field holds a line break near the boundary. " +
          "Profile this file with fewer shards or without --shard.",
      );
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  if (ranges.length === count) return null;
  return { count, ranges: ranges.map((r) => r.range) };
}

// ---------------------------------------------------------------------------------
// Samples for drift from stored profiles

export type ColumnSample =
  | {
      kind: "numeric";
      /** Sorted ascending. */
      values: Float64Array;
      /** Weight of each value (KLL items); absent when every value has weight 1. */
      weights?: Float64Array;
      exact: boolean;
      /** How the sample relates to the data, for the report. */
      approximation: string;
    }
  | { kind: "categorical"; counts: Map<string, number>; exact: boolean; approximation: string };

/**
 * What a drift test can use from a stored profile: the numbers (exact when kept, else the
 * KLL items with weights) or the category counts. `as` defaults to the column's kind.
 */
export function columnSampleFromProfile(
  col: ColumnProfile,
  as: "numeric" | "categorical" = col.kind === "numeric" ? "numeric" : "categorical",
  sketch: Pick<SketchSettings, "kll_k" | "exact_counts"> = DEFAULT_SKETCH,
): ColumnSample {
  if (as === "numeric") {
    const numbers = col.numbers;
    if (numbers === null)
      return { kind: "numeric", values: new Float64Array(0), exact: true, approximation: "exact" };
    if (numbers.values !== null) {
      return {
        kind: "numeric",
        values: Float64Array.from(numbers.values),
        exact: true,
        approximation: "exact",
      };
    }
    if (numbers.counts !== null) {
      return {
        kind: "numeric",
        values: Float64Array.from(numbers.counts, (c) => c[0]),
        weights: Float64Array.from(numbers.counts, (c) => c[1]),
        exact: true,
        approximation: "exact (value counts)",
      };
    }
    const { values, weights } = weightedItemsOf(numbers.kll!);
    const eps = kllRankError(numbers.kll!.k);
    return {
      kind: "numeric",
      values,
      weights,
      exact: false,
      approximation: `KLL quantile sketch (k=${numbers.kll!.k}): ranks within ±${(eps * 100).toFixed(2)}% at 99% confidence`,
    };
  }
  const counts = new Map<string, number>();
  for (const [value, count] of col.numbers?.counts ?? []) counts.set(String(value), count);
  for (const [value, count] of col.text?.items ?? []) counts.set(value, (counts.get(value) ?? 0) + count);
  const notes: string[] = [];
  if (col.numbers !== null && col.numbers.counts === null) {
    notes.push(`numeric values not counted (more than ${sketch.exact_counts} distinct)`);
  }
  if (col.text !== null && col.text.error > 0) {
    notes.push(`Misra–Gries counts (k=${col.text.k}): each at most ${col.text.error} low`);
  }
  return {
    kind: "categorical",
    counts,
    exact: notes.length === 0,
    approximation: notes.join("; ") || "exact",
  };
}

/** Profile JSON: one line, the same bytes for the same input. */
export function profileToJson(profile: Profile): string {
  return `${JSON.stringify(profile)}\n`;
}

/** Standard error of the distinct estimate and rank error of the quantiles, for reports. */
export function profileErrorBounds(settings: SketchSettings): { distinct: number; rank: number } {
  return { distinct: hllStandardError(settings.hll_p), rank: kllRankError(settings.kll_k) };
}
