import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BINARY_METRICS,
  binaryMetrics,
  binaryResampler,
  type MetricResampler,
  type MetricSet,
  MULTICLASS_METRICS,
  multiclassMetrics,
  multiclassResampler,
  numpySum,
  type PredictionDetails,
  REGRESSION_METRICS,
  regressionMetrics,
  regressionResampler,
  sortOrder,
} from "../../src/core/metrics.js";
import {
  type PredictionColumns,
  type PreparedPredictions,
  preparePredictions,
  type Task,
} from "../../src/core/prediction-table.js";
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
  details: Omit<PredictionDetails, "notes"> | null;
  weighted: {
    weights: number[];
    metrics: Record<string, number | null>;
    sample_weight_metrics: Record<string, number | null>;
  };
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

function prepareGolden(golden: GoldenCase): PreparedPredictions {
  const columns = parseCsv(readFileSync(join(GOLDEN_DIR, `${golden.case}.csv`), "utf8"));
  return preparePredictions(columns, {
    task: golden.task,
    label: "label",
    file: `${golden.case}.csv`,
    ...(golden.options.threshold === undefined ? {} : { threshold: golden.options.threshold }),
  });
}

/** Runs a resampler with row-order weights (mapped to its positions); NaN becomes null. */
function resampled(engine: MetricResampler, rowWeights: ArrayLike<number>): Record<string, number | null> {
  const positioned = Uint8Array.from(engine.order ?? { length: rowWeights.length }, (row, j) =>
    engine.order === null ? rowWeights[j]! : rowWeights[row]!,
  );
  const out = new Float64Array(engine.names.length);
  engine.evaluate(positioned, out);
  return Object.fromEntries(engine.names.map((name, m) => [name, Number.isNaN(out[m]!) ? null : out[m]!]));
}

describe("golden cases from scikit-learn", () => {
  it("has the expected fixtures", () => {
    expect(goldenCases.length).toBeGreaterThanOrEqual(12);
    for (const task of ["binary", "multiclass", "regression"]) {
      expect(goldenCases.some((c) => c.task === task)).toBe(true);
    }
  });

  it.each(goldenCases.map((c) => [c.case, c] as const))("%s matches scikit-learn", (name, golden) => {
    const prepared = prepareGolden(golden);
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

describe("details from scikit-learn", () => {
  const classification = goldenCases.filter((c) => c.details !== null);

  it("covers binary and multiclass cases, with and without calibration", () => {
    expect(classification.some((c) => c.task === "binary")).toBe(true);
    expect(classification.some((c) => c.task === "multiclass")).toBe(true);
    expect(classification.every((c) => c.details!.calibration !== null)).toBe(true);
  });

  it.each(classification.map((c) => [c.case, c] as const))(
    "%s: confusion matrix, per-class scores and calibration",
    (name, golden) => {
      const expected = golden.details!;
      const details = prepareGolden(golden).details();
      expect(details.confusion_matrix).toEqual(expected.confusion_matrix);
      expect(details.per_class.map((c) => [c.class, c.support])).toEqual(
        expected.per_class.map((c) => [c.class, c.support]),
      );
      details.per_class.forEach((c, i) => {
        const want = expected.per_class[i]!;
        expectClose(c.precision, want.precision, `${name} precision of ${c.class}`);
        expectClose(c.recall, want.recall, `${name} recall of ${c.class}`);
        expectClose(c.f1, want.f1, `${name} f1 of ${c.class}`);
      });
      const calibration = details.calibration!;
      const wantCalibration = expected.calibration!;
      expect(calibration.bins.map((b) => [b.lo, b.hi, b.count])).toEqual(
        wantCalibration.bins.map((b) => [b.lo, b.hi, b.count]),
      );
      calibration.bins.forEach((bin, i) => {
        const want = wantCalibration.bins[i]!;
        expectClose(bin.mean_predicted, want.mean_predicted, `${name} bin ${i} mean_predicted`);
        expectClose(bin.fraction_positive, want.fraction_positive, `${name} bin ${i} fraction_positive`);
      });
      expectClose(calibration.ece, wantCalibration.ece, `${name} ece`);
    },
  );

  it("notes zero-division per-class scores and undefined calibration; regression has no details", () => {
    const zero = goldenCases.find((c) => c.case === "binary_zero_division")!;
    const details = prepareGolden(zero).details();
    expect(details.per_class.find((c) => c.class === "1")!.precision).toBe(0);
    expect(details.notes.some((n) => n.startsWith("per_class: precision of"))).toBe(true);
    const outside = preparePredictions(
      { label: [0, 1], score: [-0.5, 2] },
      { task: "binary", label: "label", file: "f.csv" },
    ).details();
    expect(outside.calibration).toBeNull();
    expect(outside.notes.some((n) => n.startsWith("calibration:"))).toBe(true);
    const regression = preparePredictions(
      { label: [1, 2], prediction: [1, 3] },
      { task: "regression", label: "label", file: "f.csv" },
    ).details();
    expect(regression).toEqual({ confusion_matrix: [], per_class: [], calibration: null, notes: [] });
  });

  it("puts a value on a bin edge in the lower bin, as np.searchsorted(side='left') does", () => {
    const details = preparePredictions(
      { label: [0, 1, 1, 0], score: [0, 0.1, 0.30000000000000004, 1] },
      { task: "binary", label: "label", file: "f.csv" },
    ).details();
    expect(details.calibration!.bins.map((b) => [b.lo, b.count])).toEqual([
      [0, 2],
      [0.2, 1],
      [0.9, 1],
    ]);
  });
});

describe("weighted evaluation (the bootstrap's) vs scikit-learn", () => {
  it.each(goldenCases.map((c) => [c.case, c] as const))(
    "%s: rows repeated by integer weights, and sample_weight",
    (name, golden) => {
      const prepared = prepareGolden(golden);
      const weights = Float64Array.from(golden.weighted.weights);
      const viaRepeat = prepared.evaluate(weights).metrics;
      const viaResampler = resampled(prepared.resampler(), golden.weighted.weights);
      for (const [metric, expected] of Object.entries(golden.weighted.metrics)) {
        expectClose(viaRepeat[metric], expected, `${name} weighted ${metric}`);
        expectClose(viaResampler[metric], expected, `${name} resampled ${metric}`);
      }
      for (const [metric, expected] of Object.entries(golden.weighted.sample_weight_metrics)) {
        expectClose(viaResampler[metric], expected, `${name} sample_weight ${metric}`);
      }
    },
  );

  it("refuses weights that are not non-negative integers, one per row", () => {
    const prepared = preparePredictions(
      { label: [0, 1], score: [0.2, 0.7] },
      { task: "binary", label: "label", file: "f.csv" },
    );
    expect(() => prepared.evaluate(Float64Array.of(1, 0.5))).toThrow(RangeError);
    expect(() => prepared.evaluate(Float64Array.of(1, -1))).toThrow(RangeError);
    expect(() => prepared.evaluate(Float64Array.of(1))).toThrow(RangeError);
    expect(() => prepared.resampler().evaluate(new Uint8Array(3), new Float64Array(10))).toThrow(RangeError);
  });
});

describe("resamplers equal the repeated-rows evaluation", () => {
  /** Both null, or equal to 1e-9 relative (1e-12 absolute). */
  function sameMetrics(a: Record<string, number | null>, b: Record<string, number | null>): boolean {
    return Object.keys(b).every((k) => {
      const x = a[k] ?? null;
      const y = b[k] ?? null;
      if (x === null || y === null) return x === y;
      const diff = Math.abs(x - y);
      return diff <= 1e-12 || diff <= 1e-9 * Math.abs(y);
    });
  }
  const weight = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 }));
  // Few distinct scores, so ties are common; -0 and 0 must group together.
  const score = fc.constantFrom(0, -0, 0.1, 0.25, 0.5, 0.75, 1, 0.3333333333333333);

  it("binary", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), score, fc.boolean(), weight), { maxLength: 40 }),
        (rows) => {
          const y = Uint8Array.from(rows, (r) => r[0]);
          const s = Float64Array.from(rows, (r) => r[1]);
          const pred = Uint8Array.from(rows, (r) => (r[2] ? 1 : 0));
          const w = rows.map((r) => r[3]);
          const repeated = rows.flatMap((r) => Array<typeof r>(r[3]).fill(r));
          const reference = binaryMetrics(
            Uint8Array.from(repeated, (r) => r[0]),
            Float64Array.from(repeated, (r) => r[1]),
            Uint8Array.from(repeated, (r) => (r[2] ? 1 : 0)),
          ).metrics;
          return sameMetrics(resampled(binaryResampler(y, s, pred), w), reference);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("multiclass", () => {
    const input = fc
      .integer({ min: 2, max: 4 })
      .chain((k) =>
        fc.tuple(
          fc.constant(k),
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: k - 1 }),
              fc.integer({ min: 0, max: k - 1 }),
              fc.array(fc.constantFrom(0, 0.2, 0.5, 1), { minLength: k, maxLength: k }),
              weight,
            ),
            { maxLength: 30 },
          ),
        ),
      );
    fc.assert(
      fc.property(input, ([k, rows]) => {
        const column = (list: typeof rows, c: number) => Float64Array.from(list, (r) => r[2][c]!);
        const repeated = rows.flatMap((r) => Array<typeof r>(r[3]).fill(r));
        const reference = multiclassMetrics(
          Int32Array.from(repeated, (r) => r[0]),
          Array.from({ length: k }, (_, c) => column(repeated, c)),
          Int32Array.from(repeated, (r) => r[1]),
          k,
        ).metrics;
        const engine = multiclassResampler(
          Int32Array.from(rows, (r) => r[0]),
          Array.from({ length: k }, (_, c) => column(rows, c)),
          Int32Array.from(rows, (r) => r[1]),
          k,
        );
        return sameMetrics(
          resampled(
            engine,
            rows.map((r) => r[3]),
          ),
          reference,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("regression", () => {
    // Decimals, not arbitrary doubles: near the subnormal range (1e-160 squared) the two summation orders
    // legitimately round r2 differently.
    const value = fc.oneof(
      fc.constantFrom(0, 1, 2, -3),
      fc.integer({ min: -100_000, max: 100_000 }).map((v) => v / 1000),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, weight), { maxLength: 30 }), (rows) => {
        const repeated = rows.flatMap((r) => Array<typeof r>(r[2]).fill(r));
        const reference = regressionMetrics(
          Float64Array.from(repeated, (r) => r[0]),
          Float64Array.from(repeated, (r) => r[1]),
        ).metrics;
        const engine = regressionResampler(
          Float64Array.from(rows, (r) => r[0]),
          Float64Array.from(rows, (r) => r[1]),
        );
        return sameMetrics(
          resampled(
            engine,
            rows.map((r) => r[2]),
          ),
          reference,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("on a large binary set (the radix-sorted path) with ties", () => {
    const n = 20_000;
    const y = Uint8Array.from({ length: n }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
    const s = Float64Array.from(
      { length: n },
      (_, i) => Math.round(((i * 104729) % 1000) / 7) / 143 - 0.001 * (i % 2),
    );
    const pred = Uint8Array.from(s, (v) => (v >= 0.5 ? 1 : 0));
    const w = Float64Array.from({ length: n }, (_, i) => (i * 31) % 4);
    const prepared = preparePredictions(
      { label: Array.from(y), score: Array.from(s) },
      { task: "binary", label: "label", file: "f.csv" },
    );
    expect(sameMetrics(resampled(prepared.resampler(), w), prepared.evaluate(w).metrics)).toBe(true);
    expect(pred.length).toBe(n);
  });
});

describe("sortOrder", () => {
  const reference = (values: Float64Array) =>
    Array.from(values, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);

  it("is a stable ascending order, small inputs", () => {
    const value = fc.oneof(
      fc.constantFrom(0, -0, 1, -1, 0.5),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (values) => {
        const v = Float64Array.from(values);
        return Array.from(sortOrder(v)).every((row, j) => v[row] === v[reference(v)[j]!]);
      }),
    );
  });

  it("radix path: equals a stable comparator sort with negatives, -0, ties and extremes", () => {
    const n = 50_000;
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const pool = [0, -0, 1, -1, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1, 0.5];
    const values = Float64Array.from({ length: n }, () =>
      next() < 0.3
        ? pool[Math.floor(next() * pool.length)]!
        : (next() - 0.5) * 10 ** Math.floor(next() * 20 - 10),
    );
    const order = sortOrder(values);
    const expected = reference(values);
    let sameValues = true;
    let stable = true;
    for (let j = 0; j < n; j++) {
      if (values[order[j]!] !== values[expected[j]!]) sameValues = false;
      if (
        j > 0 &&
        values[order[j]!] === values[order[j - 1]!] &&
        Object.is(values[order[j]!], values[order[j - 1]!]) &&
        order[j]! < order[j - 1]!
      )
        stable = false;
    }
    expect(sameValues).toBe(true);
    expect(stable).toBe(true);
    // -0 sorts just before +0 and next to it
    const zero = Array.from(order).findIndex((row) => Object.is(values[row], 0));
    expect(Object.is(values[order[zero - 1]!], -0)).toBe(true);
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
