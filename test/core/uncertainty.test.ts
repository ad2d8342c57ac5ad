import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { delongAuc, delongPairedTest, normalQuantile } from "../../src/core/delong.js";
import {
  type PredictionColumns,
  type PredictionOptions,
  type PreparedPredictions,
  preparePredictions,
} from "../../src/core/prediction-table.js";
import {
  bootstrapIntervals,
  fillPoissonWeights,
  MCNEMAR_EXACT_BELOW,
  mcnemarTest,
  type PairedDelta,
  pairedComparison,
} from "../../src/core/uncertainty.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "golden", "uncertainty");

interface DelongGolden {
  auc: number;
  variance: number;
  ci: [number, number];
}

interface PairGolden {
  auc: [number, number];
  delta: number;
  variance: number;
  z: number;
  p_value: number;
  ci: [number, number];
}

interface McNemarGolden {
  b: number;
  c: number;
  method: "exact" | "chi-square";
  statistic: number | null;
  p_value: number;
}

interface UncertaintyGolden {
  confidence: number;
  delong: {
    models: Record<string, DelongGolden>;
    pairs: ({ first: string; second: string } & PairGolden)[];
    tiny: { y: number[]; first: number[]; second: number[]; single: DelongGolden; pair: PairGolden };
  };
  mcnemar: {
    pairs: ({ first: string; second: string } & McNemarGolden)[];
    counts: McNemarGolden[];
  };
  normal_quantiles: { p: number; z: number }[];
}

const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "uncertainty.json"), "utf8")) as UncertaintyGolden;

/** The golden CSV: label, score_logreg, score_tree, score_nb (no quotes, no embedded commas). */
function loadModels(): PredictionColumns {
  const [header, ...lines] = readFileSync(join(GOLDEN_DIR, "breast_cancer_models.csv"), "utf8")
    .trimEnd()
    .split("\n");
  const names = header!.split(",");
  const columns: PredictionColumns = Object.fromEntries(names.map((name) => [name, []]));
  for (const line of lines) {
    line.split(",").forEach((v, j) => {
      columns[names[j]!]!.push(v);
    });
  }
  return columns;
}

const models = loadModels();
const labels = Uint8Array.from(models.label!, Number);
const scoreOf = (model: string) => Float64Array.from(models[`score_${model}`]!, Number);

function prepareModel(model: string, extra: Partial<PredictionOptions> = {}): PreparedPredictions {
  return preparePredictions(models, {
    task: "binary",
    label: "label",
    score: `score_${model}`,
    file: `${model}.csv`,
    ...extra,
  });
}

/** Relative difference <= 1e-9, or absolute <= 1e-12 near 0. */
function expectClose(actual: number | null | undefined, expected: number, what: string): void {
  expect(typeof actual, what).toBe("number");
  const diff = Math.abs((actual as number) - expected);
  expect(diff <= 1e-12 || diff <= 1e-9 * Math.abs(expected), `${what}: got ${actual}, want ${expected}`).toBe(
    true,
  );
}

function expectPair(actual: ReturnType<typeof delongPairedTest>, want: PairGolden, what: string): void {
  expect(actual, what).not.toBeNull();
  expectClose(actual!.auc[0], want.auc[0], `${what} auc[0]`);
  expectClose(actual!.auc[1], want.auc[1], `${what} auc[1]`);
  expectClose(actual!.delta, want.delta, `${what} delta`);
  expectClose(actual!.variance, want.variance, `${what} variance`);
  expectClose(actual!.z, want.z, `${what} z`);
  expectClose(actual!.p_value, want.p_value, `${what} p`);
  expectClose(actual!.ci[0], want.ci[0], `${what} ci lo`);
  expectClose(actual!.ci[1], want.ci[1], `${what} ci hi`);
}

describe("DeLong (fast, Sun & Xu 2014) vs the NumPy reference", () => {
  it.each(Object.entries(golden.delong.models))("single AUC of %s", (model, want) => {
    const result = delongAuc(labels, scoreOf(model), golden.confidence)!;
    expectClose(result.auc, want.auc, `${model} auc`);
    expectClose(result.variance, want.variance, `${model} variance`);
    expectClose(result.ci[0], want.ci[0], `${model} ci lo`);
    expectClose(result.ci[1], want.ci[1], `${model} ci hi`);
  });

  it.each(golden.delong.pairs.map((p) => [`${p.first} vs ${p.second}`, p] as const))(
    "paired test %s",
    (what, want) => {
      expectPair(
        delongPairedTest(labels, scoreOf(want.first), scoreOf(want.second), golden.confidence),
        want,
        what,
      );
    },
  );

  it("handles ties across the classes (tiny hand-made case)", () => {
    const { tiny } = golden.delong;
    const y = Uint8Array.from(tiny.y);
    const single = delongAuc(y, Float64Array.from(tiny.first))!;
    expectClose(single.variance, tiny.single.variance, "tiny variance");
    expect(single.ci[1]).toBe(1); // clipped
    expectPair(
      delongPairedTest(y, Float64Array.from(tiny.first), Float64Array.from(tiny.second)),
      tiny.pair,
      "tiny",
    );
  });

  it("is null below 2 positives or 2 negatives; identical scores give p = 1", () => {
    expect(delongAuc(Uint8Array.of(1, 0, 0), Float64Array.of(0.9, 0.1, 0.2))).toBeNull();
    expect(
      delongPairedTest(Uint8Array.of(1, 1, 0), Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3)),
    ).toBeNull();
    const same = delongPairedTest(labels, scoreOf("nb"), scoreOf("nb"))!;
    expect(same.delta).toBe(0);
    expect(same.p_value).toBe(1);
    expect(same.z).toBeNull();
  });

  it("normalQuantile equals scipy.stats.norm.ppf", () => {
    for (const { p, z } of golden.normal_quantiles) expectClose(normalQuantile(p), z, `ppf(${p})`);
  });
});

describe("McNemar's test vs SciPy", () => {
  it.each(golden.mcnemar.counts.map((c) => [`b=${c.b} c=${c.c}`, c] as const))("%s", (_, want) => {
    const result = mcnemarTest(want.b, want.c);
    expect(result.method).toBe(want.method);
    expect(result.method).toBe(want.b + want.c < MCNEMAR_EXACT_BELOW ? "exact" : "chi-square");
    if (want.statistic === null) expect(result.statistic).toBeNull();
    else expectClose(result.statistic, want.statistic, "statistic");
    expectClose(result.p_value, want.p_value, "p");
  });
});

describe("pairedComparison", () => {
  const byMetric = (deltas: PairedDelta[]) => Object.fromEntries(deltas.map((d) => [d.metric, d]));

  it("logistic regression vs a depth-2 tree: McNemar for accuracy, DeLong for ROC AUC, as SciPy", () => {
    const current = prepareModel("logreg");
    const baseline = prepareModel("tree");
    const result = pairedComparison(current, baseline, { seed: "a1b2c3", resamples: 300 });
    if (!result.comparable) throw new Error(result.reason);
    const rows = byMetric(result.deltas);
    expect(Object.keys(rows)).toEqual(Object.keys(current.evaluate().metrics));

    const mcnemar = golden.mcnemar.pairs.find((p) => p.first === "logreg" && p.second === "tree")!;
    expect(rows.accuracy!.test).toBe("mcnemar");
    expectClose(rows.accuracy!.p_value, mcnemar.p_value, "mcnemar p");
    expect(rows.accuracy!.significant).toBe(mcnemar.p_value < 0.05);
    expectClose(
      rows.accuracy!.delta,
      (current.evaluate().metrics.accuracy as number) - (baseline.evaluate().metrics.accuracy as number),
      "accuracy delta",
    );

    const delong = golden.delong.pairs.find((p) => p.first === "logreg" && p.second === "tree")!;
    expect(rows.roc_auc!.test).toBe("delong");
    expectClose(rows.roc_auc!.delta, delong.delta, "auc delta");
    expectClose(rows.roc_auc!.p_value, delong.p_value, "delong p");
    expectClose(rows.roc_auc!.ci![0], delong.ci[0], "delong ci lo");
    expectClose(rows.roc_auc!.ci![1], delong.ci[1], "delong ci hi");
    expect(rows.roc_auc!.significant).toBe(true); // p = 0.003: a real difference

    // Every other metric: paired-bootstrap percentile interval around the point delta.
    for (const row of result.deltas.filter((d) => d.test === "paired-bootstrap")) {
      expect(row.p_value).toBeNull();
      expect(row.ci, row.metric).not.toBeNull();
      expect(row.significant).toBe(row.ci![0] > 0 || row.ci![1] < 0);
    }
  });

  it("calls a small accuracy gap noise (logreg vs naive Bayes, McNemar p = 0.15)", () => {
    const result = pairedComparison(prepareModel("logreg"), prepareModel("nb"), {
      seed: "s",
      resamples: 200,
    });
    if (!result.comparable) throw new Error(result.reason);
    const accuracy = byMetric(result.deltas).accuracy!;
    const want = golden.mcnemar.pairs.find((p) => p.first === "logreg" && p.second === "nb")!;
    expectClose(accuracy.p_value, want.p_value, "p");
    expect(accuracy.significant).toBe(false);
    expect(accuracy.delta).toBeGreaterThan(0);
  });

  it("a model against itself: zero deltas, nothing significant", () => {
    const p = prepareModel("nb");
    const result = pairedComparison(p, prepareModel("nb"), { seed: "same", resamples: 50 });
    if (!result.comparable) throw new Error(result.reason);
    for (const row of result.deltas) {
      expect(row.delta, row.metric).toBe(0);
      expect(row.significant, row.metric).toBe(false);
      if (row.test === "paired-bootstrap") expect(row.ci).toEqual([0, 0]);
    }
    expect(byMetric(result.deltas).accuracy!.p_value).toBe(1);
  });

  it("applies the same weights to both models (deterministic per seed)", () => {
    const a = pairedComparison(prepareModel("logreg"), prepareModel("tree"), { seed: "x", resamples: 100 });
    const b = pairedComparison(prepareModel("logreg"), prepareModel("tree"), { seed: "x", resamples: 100 });
    expect(a).toEqual(b);
    const c = pairedComparison(prepareModel("logreg"), prepareModel("tree"), { seed: "y", resamples: 100 });
    expect(c).not.toEqual(a);
  });

  it("says why two prediction sets are not comparable", () => {
    const logreg = prepareModel("logreg");
    const shorter = preparePredictions(
      { label: models.label!.slice(1), score: models.score_tree!.slice(1) },
      { task: "binary", label: "label", file: "short.csv" },
    );
    const notComparable = (other: PreparedPredictions) => {
      const result = pairedComparison(logreg, other, { seed: "s", resamples: 10 });
      expect(result.comparable).toBe(false);
      return result.comparable ? "" : result.reason;
    };
    expect(notComparable(shorter)).toMatch(
      /differ in size \(current 171 rows, baseline 170\).*match the files by id/,
    );
    const flipped = [...models.label!];
    flipped[4] = flipped[4] === "1" ? "0" : "1";
    expect(
      notComparable(
        preparePredictions(
          { ...models, label: flipped },
          { task: "binary", label: "label", score: "score_nb", file: "f.csv" },
        ),
      ),
    ).toMatch(/^row 5: the labels differ/);
    expect(notComparable(prepareModel("nb", { positiveLabel: "0" }))).toMatch(/positive class differs/);
    const multi = preparePredictions(
      {
        label: models.label!,
        proba_0: models.score_nb!.map((s) => 1 - Number(s)),
        proba_1: models.score_nb!,
      },
      { task: "multiclass", label: "label", file: "m.csv" },
    );
    expect(notComparable(multi)).toMatch(/tasks differ \(current binary, baseline multiclass\)/);
  });

  it("works for multiclass and regression (bootstrap and McNemar, no DeLong)", () => {
    const columns = (shift: number) => {
      const label: number[] = [];
      const p0: number[] = [];
      const p1: number[] = [];
      const p2: number[] = [];
      for (let i = 0; i < 90; i++) {
        label.push(i % 3);
        const right = (i * 7 + shift) % 10 < 7;
        const top = right ? i % 3 : (i + 1) % 3;
        const proba = [0.15, 0.15, 0.15];
        proba[top] = 0.7;
        p0.push(proba[0]!);
        p1.push(proba[1]!);
        p2.push(proba[2]!);
      }
      return { label, proba_0: p0, proba_1: p1, proba_2: p2 };
    };
    const opts = { task: "multiclass", label: "label", file: "m.csv" } as const;
    const result = pairedComparison(
      preparePredictions(columns(0), opts),
      preparePredictions(columns(3), opts),
      {
        seed: "m",
        resamples: 100,
      },
    );
    if (!result.comparable) throw new Error(result.reason);
    expect(byMetric(result.deltas).accuracy!.test).toBe("mcnemar");
    expect(byMetric(result.deltas).roc_auc!.test).toBe("paired-bootstrap");

    const y = Array.from({ length: 50 }, (_, i) => i);
    const reg = (noise: number) =>
      preparePredictions(
        { label: y, prediction: y.map((v, i) => v + noise * (((i * 37) % 11) - 5)) },
        { task: "regression", label: "label", file: "r.csv" },
      );
    const regression = pairedComparison(reg(1), reg(3), { seed: "r", resamples: 200 });
    if (!regression.comparable) throw new Error(regression.reason);
    expect(regression.deltas.every((d) => d.test === "paired-bootstrap")).toBe(true);
    const mae = byMetric(regression.deltas).mae!;
    expect(mae.delta).toBeLessThan(0);
    expect(mae.significant).toBe(true); // 3x the error on every row: a real difference
  });
});

describe("bootstrapIntervals", () => {
  it("is deterministic per seed and changes with the seed", () => {
    const p = prepareModel("nb");
    const a = bootstrapIntervals(p, { seed: "0123abcd", resamples: 200 });
    expect(bootstrapIntervals(p, { seed: "0123abcd", resamples: 200 })).toEqual(a);
    const b = bootstrapIntervals(p, { seed: "0123abce", resamples: 200 });
    expect(b).not.toEqual(a);
    expect(Object.keys(a).sort()).toEqual(Object.keys(p.evaluate().metrics).sort());
  });

  it("contains the point estimate of every metric on real data", () => {
    for (const model of ["logreg", "tree", "nb"]) {
      const p = prepareModel(model);
      const intervals = bootstrapIntervals(p, { seed: model, resamples: 400 });
      for (const [metric, value] of Object.entries(p.evaluate().metrics)) {
        const ci = intervals[metric]!;
        expect(ci, `${model} ${metric}`).toBeDefined();
        expect(ci[0] <= ci[1]).toBe(true);
        expect(ci[0] <= value! && value! <= ci[1], `${model} ${metric}: ${value} in [${ci}]`).toBe(true);
      }
    }
  });

  it("covers the true accuracy and ROC AUC about 95% of the time (synthetic data)", () => {
    // y ~ Bernoulli(0.5); score = Phi-free normal shift: positives N(1, 1), negatives N(0, 1), squashed by a
    // logistic (a monotone map keeps the AUC): true AUC = Phi(1 / sqrt 2) = 0.7602499389065233.
    // Prediction right with probability 0.8 regardless: true accuracy 0.8.
    const trueAuc = 0.7602499389065233;
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const datasets = 120;
    let coveredAccuracy = 0;
    let coveredAuc = 0;
    for (let d = 0; d < datasets; d++) {
      const label: number[] = [];
      const score: number[] = [];
      const prediction: number[] = [];
      for (let i = 0; i < 200; i++) {
        const y = uniform() < 0.5 ? 1 : 0;
        label.push(y);
        score.push(1 / (1 + Math.exp(-(normal() + y))));
        prediction.push(uniform() < 0.8 ? y : 1 - y);
      }
      const p = preparePredictions(
        { label, score, prediction },
        { task: "binary", label: "label", prediction: "prediction", file: "synthetic.csv" },
      );
      const ci = bootstrapIntervals(p, { seed: `dataset-${d}`, resamples: 300 });
      if (ci.accuracy![0] <= 0.8 && 0.8 <= ci.accuracy![1]) coveredAccuracy++;
      if (ci.roc_auc![0] <= trueAuc && trueAuc <= ci.roc_auc![1]) coveredAuc++;
    }
    // Binomial(120, 0.95) lies in [104, 120] with probability > 0.999; percentile intervals run a little narrow.
    expect(coveredAccuracy / datasets).toBeGreaterThanOrEqual(0.86);
    expect(coveredAuc / datasets).toBeGreaterThanOrEqual(0.86);
    expect(coveredAccuracy / datasets).toBeLessThanOrEqual(0.995);
  });

  it("leaves out metrics undefined on the data, and widens with higher confidence", () => {
    const p = preparePredictions(
      { label: [1, 1, 1, 1, 1, 1], score: [0.9, 0.8, 0.4, 0.7, 0.6, 0.95] },
      { task: "binary", label: "label", file: "one-class.csv" },
    );
    const intervals = bootstrapIntervals(p, { seed: "s", resamples: 100 });
    expect(intervals.roc_auc).toBeUndefined();
    expect(intervals.accuracy).toBeDefined();
    const nb = prepareModel("nb");
    const narrow = bootstrapIntervals(nb, { seed: "s", resamples: 300, confidence: 0.5 }).log_loss!;
    const wide = bootstrapIntervals(nb, { seed: "s", resamples: 300, confidence: 0.99 }).log_loss!;
    expect(wide[0] < narrow[0] && narrow[1] < wide[1]).toBe(true);
  });

  it("works for multiclass and regression, and rejects bad options", () => {
    const regression = preparePredictions(
      { label: [1, 2, 3, 4, 5, 6, 7, 8], prediction: [1.1, 2.3, 2.9, 4.4, 5, 6.2, 6.5, 8.1] },
      { task: "regression", label: "label", file: "r.csv" },
    );
    const ci = bootstrapIntervals(regression, { seed: "r", resamples: 200 });
    expect(Object.keys(ci).sort()).toEqual(["mae", "mape", "max_error", "median_ae", "mse", "r2", "rmse"]);
    expect(() => bootstrapIntervals(regression, { seed: "r", resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapIntervals(regression, { seed: "r", confidence: 1 })).toThrow(RangeError);
  });
});

describe("fillPoissonWeights", () => {
  it("draws Poisson(1) counts: mean 1, variance 1, P(0) = 1/e", () => {
    const w = new Uint8Array(400_000);
    fillPoissonWeights(w, "commit-sha", 0);
    let sum = 0;
    let squares = 0;
    let zeros = 0;
    for (const v of w) {
      sum += v;
      squares += v * v;
      if (v === 0) zeros++;
    }
    const mean = sum / w.length;
    // standard errors: mean 0.0016, variance ~0.0035, P(0) 0.00076
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(squares / w.length - mean * mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(zeros / w.length - Math.exp(-1))).toBeLessThan(0.004);
  });

  it("is a pure function of (seed, resample)", () => {
    const draw = (seed: string, r: number) => {
      const w = new Uint8Array(64);
      fillPoissonWeights(w, seed, r);
      return Array.from(w);
    };
    expect(draw("abc", 3)).toEqual(draw("abc", 3));
    expect(draw("abc", 3)).not.toEqual(draw("abc", 4));
    expect(draw("abc", 3)).not.toEqual(draw("abd", 3));
  });

  it("gives every length the same prefix, aligned or not", () => {
    const long = new Uint8Array(4001);
    fillPoissonWeights(long, "prefix", 7);
    for (const length of [0, 1, 2, 3, 4, 5, 3998, 3999, 4000]) {
      const short = new Uint8Array(length);
      fillPoissonWeights(short, "prefix", 7);
      expect(Array.from(short)).toEqual(Array.from(long.subarray(0, length)));
      const misaligned = new Uint8Array(length + 1).subarray(1); // byteOffset 1
      fillPoissonWeights(misaligned, "prefix", 7);
      expect(Array.from(misaligned)).toEqual(Array.from(short));
    }
    // A count of 5 or more needs top byte 255, which straddles thresholds: the slow path ran too.
    expect(long.some((w) => w >= 5)).toBe(true);
  });
});
