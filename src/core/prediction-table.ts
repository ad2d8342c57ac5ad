/**
 * Turns parsed prediction columns into metric inputs (PRODUCT.md 3.1, 3.2). Pure: the caller reads the file.
 *
 * - binary: label + score (probability of the positive class); predicted = score >= threshold (0.5) unless a
 *   prediction column is named. Positive label: --positive-label, else 1 for 0/1 labels, true for booleans.
 * - multiclass: label + one `<prefix><class>` column per class; predicted = argmax, ties to the first class
 *   in sorted order, unless a prediction column is named.
 * - regression: label + prediction.
 * Class order: numeric when every class parses as a number, otherwise code-point order.
 * Weighted evaluation (the bootstrap's): row i counted weights[i] times, as if repeated (np.repeat).
 * Bad input throws UserError naming the file, line, column, expected vs got, and the fix.
 */

import { UserError } from "../errors.js";
import {
  binaryMetrics,
  binaryResampler,
  calibrationBins,
  classDetails,
  type MetricResampler,
  type MetricSet,
  multiclassMetrics,
  multiclassResampler,
  type PredictionDetails,
  regressionMetrics,
  regressionResampler,
} from "./metrics.js";
import { NUMBER } from "./value-text.js";

export type Task = "binary" | "multiclass" | "regression";

export interface PredictionColumns {
  [column: string]: (string | number | boolean | null)[];
}

export interface PredictionOptions {
  task: Task;
  label: string;
  score?: string;
  prediction?: string;
  probaPrefix?: string;
  positiveLabel?: string;
  threshold?: number;
  file: string;
  /** Line number of the first data row in the file: 2 (default) after a header line, 1 for JSON Lines. */
  firstDataLine?: number;
}

export interface PreparedPredictions {
  task: Task;
  n: number;
  /** sorted class labels */
  classes: string[];
  /**
   * The metrics of PRODUCT.md 3.1. With `weights` (non-negative integers, one per row), the metrics of the
   * rows repeated that many times: scikit-learn's `sample_weight` for positive weights, a 0 drops the row.
   */
  evaluate(weights?: Float64Array): MetricSet;
  /** Confusion matrix, per-class precision/recall/f1/support and calibration (see metrics.ts). */
  details(): PredictionDetails;
  /** The sort-once weighted evaluator behind the bootstrap; built on first use, then reused. */
  resampler(): MetricResampler;
  /** The typed arrays the metrics are computed from (paired tests, DeLong, comparability checks). */
  inputs: PredictionInputs;
}

export type PredictionInputs =
  /** y/pred: 1 = the positive class; score: its probability */
  | { task: "binary"; positive: string; y: Uint8Array; score: Float64Array; pred: Uint8Array }
  /** y/pred: indices into `classes`; proba[c]: probability of class c */
  | { task: "multiclass"; y: Int32Array; proba: Float64Array[]; pred: Int32Array }
  | { task: "regression"; y: Float64Array; pred: Float64Array };

type Cell = string | number | boolean | null | undefined;

const MAX_LISTED_PROBLEMS = 10;
const NAN_PATTERN = /^nan$/i;
const BOOLEAN_PATTERN = /^(?:true|false)$/i;

export function preparePredictions(columns: PredictionColumns, opts: PredictionOptions): PreparedPredictions {
  const table = new Table(columns, opts);
  switch (opts.task) {
    case "binary":
      return prepareBinary(table, opts);
    case "multiclass":
      return prepareMulticlass(table, opts);
    case "regression":
      return prepareRegression(table, opts);
    default:
      throw new UserError(
        `${opts.file}: unknown task ${JSON.stringify(opts.task)}; expected binary, multiclass or regression. ` +
          "Fix: pass --task binary|multiclass|regression.",
      );
  }
}

/* ------------------------------------------------------------------------------------------------ */
/* Table access and error reporting                                                                   */
/* ------------------------------------------------------------------------------------------------ */

/** The columns of one file plus the problems found so far (all reported at once). */
class Table {
  readonly n: number;
  private readonly problems: string[] = [];
  private extraProblems = 0;

  constructor(
    readonly columns: PredictionColumns,
    readonly opts: PredictionOptions,
  ) {
    const lengths = new Set(Object.values(columns).map((values) => values.length));
    if (lengths.size > 1) {
      throw new UserError(
        `${opts.file}: the columns have different numbers of rows (${[...lengths].join(", ")}). ` +
          "Fix: make every row have a value (or an empty cell) for every column.",
      );
    }
    this.n = lengths.size === 0 ? 0 : [...lengths][0]!;
  }

  /** The values of a required column, or a UserError listing the columns that exist. */
  column(name: string, role: string, flag: string): Cell[] {
    const values = this.columns[name];
    if (values !== undefined) return values;
    const present = Object.keys(this.columns);
    throw new UserError(
      `${this.opts.file}: column "${name}" (the ${role}) not found; the file has ` +
        `${present.length === 0 ? "no columns" : `columns ${present.map((c) => `"${c}"`).join(", ")}`}. ` +
        `Fix: rename the column or pass ${flag} <column>.`,
    );
  }

  line(row: number): number {
    return (this.opts.firstDataLine ?? 2) + row;
  }

  /** Records a bad cell: `file:line N: column "c": expected X, got Y. Fix`. */
  problem(row: number, column: string, expected: string, value: Cell, fix: string): void {
    if (this.problems.length >= MAX_LISTED_PROBLEMS) {
      this.extraProblems++;
      return;
    }
    this.problems.push(
      `${this.opts.file}:line ${this.line(row)}: column "${column}": expected ${expected}, got ${describe(value)}. ${fix}`,
    );
  }

  /** Throws every problem recorded so far as one UserError. */
  throwIfProblems(): void {
    if (this.problems.length === 0) return;
    const list = [...this.problems];
    if (this.extraProblems > 0) {
      list.push(`${this.opts.file}: ... and ${this.extraProblems} more problem(s) like these.`);
    }
    throw new UserError(list);
  }

  /** A column of finite numbers. */
  numbers(name: string, role: string, flag: string, fix: string): Float64Array {
    const values = this.column(name, role, flag);
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const x = parseFiniteNumber(values[i]);
      if (x === null) this.problem(i, name, "a number", values[i], fix);
      else out[i] = x;
    }
    return out;
  }

  /** A column of class labels in canonical form (see canonicalLabel); missing labels are problems. */
  labels(name: string, role: string, flag: string): string[] {
    const values = this.column(name, role, flag);
    const cache = new Map<Cell, string | null>();
    const out: string[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const raw = values[i];
      let key = cache.get(raw);
      if (key === undefined) {
        key = canonicalLabel(raw);
        cache.set(raw, key);
      }
      if (key === null) {
        this.problem(i, name, "a class label", raw, "Fix: fill in the label or drop the row.");
        out[i] = "";
      } else out[i] = key;
    }
    return out;
  }
}

function describe(value: Cell): string {
  if (value === null || value === undefined || value === "") return "an empty value";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** A finite number from a number or a numeric string; null for anything else (including NaN, Infinity). */
function parseFiniteNumber(value: Cell): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (!NUMBER.test(text)) return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : null;
}

/**
 * One spelling per class: numbers as JavaScript prints them ("1.0" and 1 are "1"), booleans lower-case
 * ("True" is "true"), other strings trimmed. null for a missing label.
 */
export function canonicalLabel(value: Cell): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isNaN(value) ? null : String(value);
  const text = value.trim();
  if (text === "") return null;
  if (NUMBER.test(text)) return String(Number(text));
  if (BOOLEAN_PATTERN.test(text)) return text.toLowerCase();
  if (NAN_PATTERN.test(text)) return null;
  return text;
}

function isNumericLabel(label: string): boolean {
  return NUMBER.test(label) || label === "Infinity" || label === "-Infinity";
}

function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** PRODUCT.md 3.2: numeric order when every label parses as a number, otherwise code-point order. */
export function sortClassLabels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  if (unique.every(isNumericLabel)) {
    return unique.sort((a, b) => Number(a) - Number(b) || compareCodePoints(a, b));
  }
  return unique.sort(compareCodePoints);
}

function listLabels(labels: string[]): string {
  const shown = labels.slice(0, 10).map((l) => JSON.stringify(l));
  return labels.length > 10 ? `${shown.join(", ")}, ... (${labels.length} in all)` : shown.join(", ");
}

function withNotes(result: MetricSet, notes: readonly string[]): MetricSet {
  return notes.length === 0 ? result : { metrics: result.metrics, notes: [...notes, ...result.notes] };
}

/**
 * Row indices with row i repeated weights[i] times (np.repeat): what a weighted evaluation means.
 * undefined (no weights) means every row once.
 */
function repeatedRows(weights: Float64Array | undefined, n: number): Int32Array | undefined {
  if (weights === undefined) return undefined;
  if (weights.length !== n) throw new RangeError(`expected ${n} weights, got ${weights.length}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(Number.isInteger(w) && w >= 0)) {
      throw new RangeError(`weights[${i}] must be a non-negative integer, got ${w}`);
    }
    total += w;
  }
  const rows = new Int32Array(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    rows.fill(i, at, at + weights[i]!);
    at += weights[i]!;
  }
  return rows;
}

function pick<T extends Uint8Array | Int32Array | Float64Array>(values: T, rows: Int32Array | undefined): T {
  if (rows === undefined) return values;
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = values[rows[j]!]!;
  return out;
}

/** Builds the resampler on first use and keeps it: the sort happens once per prediction set. */
function cached<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** Top-label calibration input: the highest probability of each row, and whether its argmax is the label. */
function topLabel(y: Int32Array, proba: Float64Array[]): { correct: Uint8Array; confidence: Float64Array } {
  const argmax = argmaxRows(proba, y.length);
  const correct = new Uint8Array(y.length);
  const confidence = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    correct[i] = argmax[i] === y[i] ? 1 : 0;
    confidence[i] = proba[argmax[i]!]![i]!;
  }
  return { correct, confidence };
}

/* ------------------------------------------------------------------------------------------------ */
/* Binary                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

function prepareBinary(table: Table, opts: PredictionOptions): PreparedPredictions {
  const threshold = opts.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) {
    throw new UserError(
      `--threshold: expected a finite number, got ${threshold}. Fix: pass e.g. --threshold 0.5.`,
    );
  }
  const scoreColumn = opts.score ?? "score";
  const labels = table.labels(opts.label, "label column", "--label-column");
  const score = table.numbers(
    scoreColumn,
    "score column",
    "--score-column",
    "Fix the value or point --score-column at the probability column.",
  );
  const predictedLabels = opts.prediction
    ? table.labels(opts.prediction, "prediction column", "--prediction-column")
    : undefined;
  table.throwIfProblems();

  const present = sortClassLabels(labels);
  const notes: string[] = [];
  const positive = choosePositiveLabel(present, opts, notes);
  const classes = sortClassLabels([...present, positive]);
  const y = new Uint8Array(table.n);
  for (let i = 0; i < table.n; i++) y[i] = labels[i] === positive ? 1 : 0;
  const pred = predictedLabels
    ? binaryPredictionsFromColumn(table, predictedLabels, opts.prediction!, classes, positive)
    : thresholdScores(score, threshold);
  return {
    task: "binary",
    n: table.n,
    classes,
    evaluate: (weights) => {
      const rows = repeatedRows(weights, table.n);
      return withNotes(binaryMetrics(pick(y, rows), pick(score, rows), pick(pred, rows)), notes);
    },
    details: () => binaryDetails(y, score, pred, classes, positive),
    resampler: cached(() => binaryResampler(y, score, pred)),
    inputs: { task: "binary", positive, y, score, pred },
  };
}

/** Confusion matrix and per-class scores over `classes`; the negative class may be unnamed (-1). */
function binaryDetails(
  y: Uint8Array,
  score: Float64Array,
  pred: Uint8Array,
  classes: string[],
  positive: string,
): PredictionDetails {
  const positiveIndex = classes.indexOf(positive);
  const negativeIndex = classes.findIndex((c) => c !== positive);
  const toClass = (v: Uint8Array) => {
    const out = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] === 1 ? positiveIndex : negativeIndex;
    return out;
  };
  const notes: string[] = [];
  const byClass = classDetails(toClass(y), toClass(pred), classes, notes);
  return { ...byClass, calibration: calibrationBins(y, score, notes), notes };
}

function choosePositiveLabel(present: string[], opts: PredictionOptions, notes: string[]): string {
  const column = opts.label;
  if (present.length > 2) {
    throw new UserError(
      `${opts.file}: column "${column}": expected 2 classes for --task binary, found ${present.length} ` +
        `(${listLabels(present)}). Fix: use --task multiclass, or point --label-column at the binary label.`,
    );
  }
  if (opts.positiveLabel !== undefined) {
    const positive = canonicalLabel(opts.positiveLabel);
    if (positive === null) {
      throw new UserError(
        "--positive-label: expected a class label, got an empty value. Fix: pass e.g. --positive-label 1.",
      );
    }
    if (!present.includes(positive)) {
      if (present.length === 2) {
        throw new UserError(
          `${opts.file}: column "${column}": --positive-label ${JSON.stringify(opts.positiveLabel)} is not one of ` +
            `the labels (${listLabels(present)}). Fix: pass one of them as --positive-label.`,
        );
      }
      if (present.length > 0) {
        notes.push(
          `positive label: ${JSON.stringify(positive)} does not occur in column "${column}"; every row is negative`,
        );
      }
    }
    return positive;
  }
  if (present.every((l) => l === "0" || l === "1")) return "1";
  if (present.every((l) => l === "true" || l === "false")) return "true";
  throw new UserError(
    `${opts.file}: column "${column}": cannot tell the positive class of the labels (${listLabels(present)}); ` +
      "the default works only for 0/1 and true/false labels. Fix: pass --positive-label <label>.",
  );
}

function thresholdScores(score: Float64Array, threshold: number): Uint8Array {
  const pred = new Uint8Array(score.length);
  for (let i = 0; i < score.length; i++) pred[i] = score[i]! >= threshold ? 1 : 0;
  return pred;
}

/** Named prediction column: positive label → 1; the other class → 0; anything else is a problem. */
function binaryPredictionsFromColumn(
  table: Table,
  predicted: string[],
  column: string,
  classes: string[],
  positive: string,
): Uint8Array {
  // The negative class is the other label; a one-class slice learns it from the first other prediction.
  let negative = classes.find((c) => c !== positive);
  const pred = new Uint8Array(table.n);
  for (let i = 0; i < table.n; i++) {
    const p = predicted[i]!;
    if (p === positive) pred[i] = 1;
    else if (negative === undefined) negative = p;
    else if (p !== negative) {
      const expected = `one of the classes ${listLabels(sortClassLabels([negative, positive]))}`;
      table.problem(
        i,
        column,
        expected,
        p,
        "Fix the value or point --prediction-column at the predicted-class column.",
      );
    }
  }
  table.throwIfProblems();
  return pred;
}

/* ------------------------------------------------------------------------------------------------ */
/* Multiclass                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

interface ProbaColumn {
  name: string;
  label: string;
}

function probaColumns(table: Table, opts: PredictionOptions, prefix: string): ProbaColumn[] {
  const found: ProbaColumn[] = [];
  const byLabel = new Map<string, string>();
  for (const name of Object.keys(table.columns)) {
    if (!name.startsWith(prefix) || name === opts.label || name === opts.prediction) continue;
    const label = canonicalLabel(name.slice(prefix.length));
    if (label === null) continue;
    const clash = byLabel.get(label);
    if (clash !== undefined) {
      throw new UserError(
        `${opts.file}: columns "${clash}" and "${name}" both give the probability of class ${JSON.stringify(label)}. ` +
          "Fix: keep one column per class.",
      );
    }
    byLabel.set(label, name);
    found.push({ name, label });
  }
  if (found.length < 2) {
    throw new UserError(
      `${opts.file}: expected one probability column per class named "${prefix}<class>" (at least 2), found ` +
        `${found.length === 0 ? "none" : `only "${found[0]!.name}"`}; columns: ` +
        `${Object.keys(table.columns)
          .map((c) => `"${c}"`)
          .join(", ")}. Fix: rename the columns or pass --proba-prefix <prefix>.`,
    );
  }
  return found;
}

function prepareMulticlass(table: Table, opts: PredictionOptions): PreparedPredictions {
  const prefix = opts.probaPrefix ?? "proba_";
  const columns = probaColumns(table, opts, prefix);
  const classes = sortClassLabels(columns.map((c) => c.label));
  const index = new Map(classes.map((c, i) => [c, i]));
  const columnOf = new Map(columns.map((c) => [c.label, c.name]));
  const labels = table.labels(opts.label, "label column", "--label-column");
  const proba = classes.map((c) =>
    table.numbers(
      columnOf.get(c)!,
      `probability column of class ${JSON.stringify(c)}`,
      "--proba-prefix",
      "Fix the value or point --proba-prefix at the probability columns.",
    ),
  );
  const predictedLabels = opts.prediction
    ? table.labels(opts.prediction, "prediction column", "--prediction-column")
    : undefined;
  table.throwIfProblems();

  const y = classIndices(
    table,
    labels,
    opts.label,
    index,
    prefix,
    "Fix the label or add its probability column.",
  );
  const pred = predictedLabels
    ? classIndices(
        table,
        predictedLabels,
        opts.prediction!,
        index,
        prefix,
        "Fix the value or point --prediction-column at the predicted-class column.",
      )
    : argmaxRows(proba, table.n);
  table.throwIfProblems();
  return {
    task: "multiclass",
    n: table.n,
    classes,
    evaluate: (weights) => {
      const rows = repeatedRows(weights, table.n);
      const picked = proba.map((column) => pick(column, rows));
      return multiclassMetrics(pick(y, rows), picked, pick(pred, rows), classes.length);
    },
    details: () => {
      const notes: string[] = [];
      const { correct, confidence } = topLabel(y, proba);
      return {
        ...classDetails(y, pred, classes, notes),
        calibration: calibrationBins(correct, confidence, notes),
        notes,
      };
    },
    resampler: cached(() => multiclassResampler(y, proba, pred, classes.length)),
    inputs: { task: "multiclass", y, proba, pred },
  };
}

function classIndices(
  table: Table,
  labels: string[],
  column: string,
  index: Map<string, number>,
  prefix: string,
  fix: string,
): Int32Array {
  const out = new Int32Array(table.n);
  for (let i = 0; i < table.n; i++) {
    const c = index.get(labels[i]!);
    if (c === undefined) {
      table.problem(
        i,
        column,
        `a class with a "${prefix}<class>" column (${listLabels([...index.keys()])})`,
        labels[i]!,
        fix,
      );
    } else out[i] = c;
  }
  return out;
}

/** Predicted class = argmax of the row; ties go to the first class in sorted order (strict >). */
function argmaxRows(proba: Float64Array[], n: number): Int32Array {
  const pred = new Int32Array(n);
  const best = Float64Array.from(proba[0]!);
  for (let c = 1; c < proba.length; c++) {
    const column = proba[c]!;
    for (let i = 0; i < n; i++) {
      if (column[i]! > best[i]!) {
        best[i] = column[i]!;
        pred[i] = c;
      }
    }
  }
  return pred;
}

/* ------------------------------------------------------------------------------------------------ */
/* Regression                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

function prepareRegression(table: Table, opts: PredictionOptions): PreparedPredictions {
  const predictionColumn = opts.prediction ?? "prediction";
  const y = table.numbers(
    opts.label,
    "label column",
    "--label-column",
    "Fix the value or point --label-column at the numeric target column.",
  );
  const pred = table.numbers(
    predictionColumn,
    "prediction column",
    "--prediction-column",
    "Fix the value or point --prediction-column at the predicted-value column.",
  );
  table.throwIfProblems();
  return {
    task: "regression",
    n: table.n,
    classes: [],
    evaluate: (weights) => {
      const rows = repeatedRows(weights, table.n);
      return regressionMetrics(pick(y, rows), pick(pred, rows));
    },
    details: () => ({ confusion_matrix: [], per_class: [], calibration: null, notes: [] }),
    resampler: cached(() => regressionResampler(y, pred)),
    inputs: { task: "regression", y, pred },
  };
}
