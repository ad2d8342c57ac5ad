import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BINARY_METRICS,
  binaryMetrics,
  type MetricSet,
  MULTICLASS_METRICS,
  multiclassMetrics,
  numpySum,
  REGRESSION_METRICS,
  regressionMetrics,
} from "../../src/core/metrics.js";
import { type PredictionColumns, preparePredictions, type Task } from "../../src/core/prediction-table.js";
import { UserError } from "../../src/errors.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "golden", "metrics");

interface GoldenCase {
  case: string;
  task: Task;
  options: { threshold?: number };
  sklearn_version: string;
  n: number;
  metrics: Record<string, number | null>;
  sklearn_warnings: Record<string, string[]>;
  deviations: Record<string, { sklearn: number; mlgate: null; why: string }>;
}

/** The golden CSVs have a header line, no quotes and no embedded commas. */
function parseCsv(text: string): PredictionColumns {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header!.split(",");
  const columns: PredictionColumns = Object.fromEntries(names.map((name) => [name, []]));
  for (const line of lines) {
    line.split(",").forEach((value, j) => {
      columns[names[j]!]!.push(value);
    });
  }
  return columns;
}

function loadGoldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), "utf8")) as GoldenCase);
}

/** Relative difference <= 1e-9, or absolute <= 1e-12 near 0. */
function expectClose(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe("number");
  const diff = Math.abs((actual as number) - expected);
  const ok = diff <= 1e-12 || diff <= 1e-9 * Math.abs(expected);
  expect(ok, `${what}: got ${actual}, scikit-learn ${expected} (diff ${diff})`).toBe(true);
}

/** Names of the metrics a note is about: the part before the first ": ", comma-separated. */
function notedMetrics(result: MetricSet): Set<string> {
  const names = new Set<string>();
  for (const note of result.notes) {
    const head = note.split(": ")[0]!;
    for (const name of head.split(", ")) names.add(name);
  }
  return names;
}

function allFiniteOrNull(result: MetricSet): boolean {
  return Object.values(result.metrics).every((v) => v === null || Number.isFinite(v));
}

const goldenCases = loadGoldenCases();

describe("golden cases from scikit-learn", () => {
  it("has the expected fixtures", () => {
    expect(goldenCases.length).toBeGreaterThanOrEqual(12);
    for (const task of ["binary", "multiclass", "regression"]) {
      expect(goldenCases.some((c) => c.task === task)).toBe(true);
    }
  });

  it.each(goldenCases.map((c) => [c.case, c] as const))("%s matches scikit-learn", (name, golden) => {
    const columns = parseCsv(readFileSync(join(GOLDEN_DIR, `${name}.csv`), "utf8"));
    const prepared = preparePredictions(columns, {
      task: golden.task,
      label: "label",
      file: `${name}.csv`,
      ...(golden.options.threshold === undefined ? {} : { threshold: golden.options.threshold }),
    });
    expect(prepared.n).toBe(golden.n);
    const result = prepared.evaluate();
    expect(Object.keys(result.metrics).sort()).toEqual(Object.keys(golden.metrics).sort());
    for (const [metric, expected] of Object.entries(golden.metrics)) {
      expectClose(result.metrics[metric], expected, `${name} ${metric}`);
    }
    // Where scikit-learn warned, raised, or mlgate's convention differs, a note names the metric.
    const noted = notedMetrics(result);
    for (const metric of [...Object.keys(golden.sklearn_warnings), ...Object.keys(golden.deviations)]) {
      expect(noted.has(metric), `${name}: a note about ${metric} (notes: ${result.notes.join(" | ")})`).toBe(
        true,
      );
    }
  });
});

describe("preparePredictions", () => {
  it("breaks argmax ties toward the first class in sorted order", () => {
    const columns = {
      label: ["b", "a", "c"],
      proba_c: [0.4, 0.5, 0.2],
      proba_b: [0.4, 0.5, 0.4],
      proba_a: [0.2, 0.0, 0.4],
    };
    // row 1: b ties c -> b; row 2: a ties b -> a; row 3: a ties c -> a (label c: wrong)
    const prepared = preparePredictions(columns, { task: "multiclass", label: "label", file: "p.csv" });
    expect(prepared.classes).toEqual(["a", "b", "c"]);
    const { metrics } = prepared.evaluate();
    expect(metrics.accuracy).toBeCloseTo(1 / 3, 15);
  });

  it("orders numeric classes numerically (10 after 9) and ties go to the smaller number", () => {
    const columns = {
      label: [10, 9, 2],
      proba_10: [0.5, 0.5, 0.0],
      proba_9: [0.5, 0.5, 0.2],
      proba_2: [0.0, 0.0, 0.8],
    };
    const prepared = preparePredictions(columns, { task: "multiclass", label: "label", file: "p.csv" });
    expect(prepared.classes).toEqual(["2", "9", "10"]);
    // row 1: tie 9 vs 10 -> 9 (label 10: wrong); row 2 -> 9 (right); row 3 -> 2 (right)
    expect(prepared.evaluate().metrics.accuracy).toBeCloseTo(2 / 3, 15);
  });

  it("orders non-numeric classes by code point", () => {
    const columns = { label: ["b", "B", "a"], proba_b: [1, 0, 0], proba_B: [0, 1, 0], proba_a: [0, 0, 1] };
    const prepared = preparePredictions(columns, { task: "multiclass", label: "label", file: "p.csv" });
    expect(prepared.classes).toEqual(["B", "a", "b"]);
    expect(prepared.evaluate().metrics.accuracy).toBe(1);
  });

  it("reports a bad score with the file, line, column and fix", () => {
    const columns = { label: ["1", "0", "1"], score: ["0.9", "abc", "0.2"] };
    let error: unknown;
    try {
      preparePredictions(columns, { task: "binary", label: "label", file: "preds.csv" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toContain("preds.csv:line 3");
    expect(message).toContain('column "score"');
    expect(message).toContain('expected a number, got "abc"');
    expect(message).toContain("--score-column");
  });

  it("rejects non-finite scores, missing labels and missing columns", () => {
    expect(() =>
      preparePredictions(
        { label: [1, 0], score: [0.2, Number.NaN] },
        { task: "binary", label: "label", file: "f.csv" },
      ),
    ).toThrow(/f\.csv:line 3: column "score"/);
    expect(() =>
      preparePredictions(
        { label: [1, null], score: [0.2, 0.3] },
        { task: "binary", label: "label", file: "f.csv" },
      ),
    ).toThrow(/f\.csv:line 3: column "label": expected a class label, got an empty value/);
    expect(() =>
      preparePredictions({ y: [1], score: [0.2] }, { task: "binary", label: "label", file: "f.csv" }),
    ).toThrow(/column "label" .*not found.*--label-column/);
    expect(() =>
      preparePredictions({ label: [1.5], pred: [2] }, { task: "regression", label: "label", file: "f.csv" }),
    ).toThrow(/--prediction-column/);
  });

  it("asks for --positive-label when the binary labels are not 0/1 or booleans", () => {
    const columns = { label: ["cat", "dog"], score: [0.1, 0.9] };
    expect(() => preparePredictions(columns, { task: "binary", label: "label", file: "f.csv" })).toThrow(
      /--positive-label/,
    );
    const prepared = preparePredictions(columns, {
      task: "binary",
      label: "label",
      positiveLabel: "dog",
      file: "f.csv",
    });
    expect(prepared.classes).toEqual(["cat", "dog"]);
    expect(prepared.evaluate().metrics.roc_auc).toBe(1);
  });

  it("takes true as the positive class of boolean labels and honours a named prediction column", () => {
    const columns = {
      label: [true, false, "True", "false"],
      score: [0.2, 0.1, 0.9, 0.8],
      pred: [1, 0, 1, 0],
    };
    const byScore = preparePredictions(columns, { task: "binary", label: "label", file: "f.csv" }).evaluate();
    expect(byScore.metrics.accuracy).toBe(0.5);
    const byColumn = preparePredictions(
      { ...columns, pred: ["true", "false", "true", "false"] },
      { task: "binary", label: "label", prediction: "pred", file: "f.csv" },
    ).evaluate();
    expect(byColumn.metrics.accuracy).toBe(1);
  });

  it("reports line numbers from firstDataLine", () => {
    expect(() =>
      preparePredictions(
        { label: [1, "x"], prediction: [1, 2] },
        { task: "regression", label: "label", file: "p.jsonl", firstDataLine: 1 },
      ),
    ).toThrow(/p\.jsonl:line 2: column "label"/);
  });
});

describe("metrics edge cases", () => {
  it("returns all null with a note on empty input", () => {
    const binary = binaryMetrics(new Uint8Array(0), new Float64Array(0), new Uint8Array(0));
    expect(Object.keys(binary.metrics)).toEqual([...BINARY_METRICS]);
    expect(Object.values(binary.metrics).every((v) => v === null)).toBe(true);
    expect(binary.notes.length).toBeGreaterThan(0);
    const multi = multiclassMetrics(
      new Int32Array(0),
      [new Float64Array(0), new Float64Array(0)],
      new Int32Array(0),
      2,
    );
    expect(Object.keys(multi.metrics)).toEqual([...MULTICLASS_METRICS]);
    expect(Object.values(multi.metrics).every((v) => v === null)).toBe(true);
    const reg = regressionMetrics(new Float64Array(0), new Float64Array(0));
    expect(Object.keys(reg.metrics)).toEqual([...REGRESSION_METRICS]);
    expect(Object.values(reg.metrics).every((v) => v === null)).toBe(true);
  });

  it("r2 of a constant label is 1.0 for perfect predictions, else 0.0, with a note", () => {
    const perfect = regressionMetrics(Float64Array.of(3, 3, 3), Float64Array.of(3, 3, 3));
    expect(perfect.metrics.r2).toBe(1);
    const off = regressionMetrics(Float64Array.of(3, 3, 3), Float64Array.of(3, 3, 4));
    expect(off.metrics.r2).toBe(0);
    expect(notedMetrics(off).has("r2")).toBe(true);
  });

  it("reports an overflowing result as null with a note, and refuses non-finite input", () => {
    const result = regressionMetrics(Float64Array.of(1e300, -1e300), Float64Array.of(-1e300, 1e300));
    expect(result.metrics.mse).toBeNull();
    expect(result.metrics.mae).toBe(2e300);
    expect(notedMetrics(result).has("mse")).toBe(true);
    expect(() => binaryMetrics(Uint8Array.of(1), Float64Array.of(Number.NaN), Uint8Array.of(1))).toThrow(
      RangeError,
    );
  });

  it("treats tied scores as one ROC threshold (AUC 0.5 for all-equal scores)", () => {
    const y = Uint8Array.of(0, 1, 0, 1);
    const result = binaryMetrics(y, Float64Array.of(0.5, 0.5, 0.5, 0.5), Uint8Array.of(1, 1, 1, 1));
    expect(result.metrics.roc_auc).toBe(0.5);
    expect(result.metrics.average_precision).toBe(0.5);
  });

  it("groups -0 with 0 as NumPy does", () => {
    const y = Uint8Array.of(1, 0);
    const result = binaryMetrics(y, Float64Array.of(-0, 0), Uint8Array.of(0, 0));
    expect(result.metrics.roc_auc).toBe(0.5);
  });

  it("sums like NumPy's pairwise summation", () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => 0.1 * ((i % 7) + 1));
    // NumPy 1.24: np.sum(0.1 * ((np.arange(1000) % 7) + 1)) == 399.70000000000005; a plain loop gives
    // 399.6999999999998.
    expect(numpySum(values)).toBe(399.70000000000005);
  });
});

describe("median_ae", () => {
  it("equals the median of a full sort (selection handles duplicates and even lengths)", () => {
    const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), (values) => {
        const y = Float64Array.from(values);
        const sorted = Float64Array.from(y, Math.abs).sort();
        const mid = sorted.length >> 1;
        const expected = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
        return regressionMetrics(y, new Float64Array(y.length)).metrics.median_ae === expected;
      }),
      { numRuns: 300 },
    );
  });
});

describe("no NaN ever", () => {
  const score = fc.oneof(
    fc.constantFrom(0, 1, 0.5, -0, 1e-300, 1 - 2 ** -53),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: -5, max: 5, noNaN: true }),
  );

  it("binary: every metric is a finite number or null", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), score, fc.boolean()), { maxLength: 30 }),
        (rows) => {
          const y = Uint8Array.from(rows, (r) => r[0]);
          const s = Float64Array.from(rows, (r) => r[1]);
          const pred = Uint8Array.from(rows, (r) => (r[2] ? 1 : 0));
          return allFiniteOrNull(binaryMetrics(y, s, pred));
        },
      ),
    );
  });

  it("multiclass: every metric is a finite number or null", () => {
    const input = fc.integer({ min: 2, max: 5 }).chain((k) =>
      fc.tuple(
        fc.constant(k),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: k - 1 }),
            fc.integer({ min: 0, max: k - 1 }),
            fc.array(fc.oneof(fc.constantFrom(0, 1, 0.5), fc.double({ min: 0, max: 1, noNaN: true })), {
              minLength: k,
              maxLength: k,
            }),
            fc.boolean(),
          ),
          { maxLength: 30 },
        ),
      ),
    );
    fc.assert(
      fc.property(input, ([k, rows]) => {
        const y = Int32Array.from(rows, (r) => r[0]);
        const pred = Int32Array.from(rows, (r) => r[1]);
        const proba = Array.from({ length: k }, (_, c) =>
          Float64Array.from(rows, (r) => {
            const total = r[2].reduce((a, b) => a + b, 0);
            // half the rows normalised (valid probabilities), half raw (including all-zero rows)
            return r[3] && total > 0 ? r[2][c]! / total : r[2][c]!;
          }),
        );
        return allFiniteOrNull(multiclassMetrics(y, proba, pred, k));
      }),
    );
  });

  it("regression: every metric is a finite number or null", () => {
    const value = fc.oneof(fc.constantFrom(0, 1, -0, 3), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 30 }), (rows) => {
        const y = Float64Array.from(rows, (r) => r[0]);
        const pred = Float64Array.from(rows, (r) => r[1]);
        return allFiniteOrNull(regressionMetrics(y, pred));
      }),
    );
  });

  it("preparePredictions output is finite or null for random binary tables", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("0", "1", 0, 1), fc.double({ min: 0, max: 1, noNaN: true })), {
          maxLength: 20,
        }),
        (rows) => {
          const columns = { label: rows.map((r) => r[0]), score: rows.map((r) => r[1]) };
          const prepared = preparePredictions(columns, { task: "binary", label: "label", file: "f.csv" });
          return allFiniteOrNull(prepared.evaluate());
        },
      ),
    );
  });
});
