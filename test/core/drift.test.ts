import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ColumnDrift,
  type ColumnSample,
  chisquare,
  columnDrift,
  type DriftMethod,
  datasetDrift,
  jensenShannonDistance,
  ks2samp,
  wassersteinDistance,
} from "../../src/core/drift.js";
import {
  chiSquareSurvival,
  kolmogorovSmirnovSurvival,
  logGamma,
  normalCdf,
  smirnovSurvival,
} from "../../src/core/special-functions.js";
import { UserError } from "../../src/errors.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "golden", "drift");

interface SampleJson {
  values?: number[];
  weights?: number[];
  weights_are_counts?: boolean;
  counts?: Record<string, number>;
}

interface ExpectedResult {
  statistic: number | null;
  p_value: number | null;
  drifted: boolean;
}

interface KsResult {
  statistic: number;
  pvalue: number;
  mode: "exact" | "asymp";
}

interface GoldenColumn {
  name: string;
  kind: "numeric" | "categorical";
  exact: boolean;
  reference: SampleJson;
  current: SampleJson;
  expected: {
    auto: ExpectedResult & { method: DriftMethod };
    methods: Partial<Record<DriftMethod, ExpectedResult>>;
    ks_2samp?: Record<"auto" | "exact" | "asymp", KsResult>;
    wasserstein_distance?: number;
    jensenshannon: { p: number[]; q: number[]; distance: number };
  };
}

interface GoldenCase {
  case: string;
  source: string;
  columns: GoldenColumn[];
}

interface SpecialFunctionsGolden {
  kstwo_sf_and_smirnov: [number, number, number, number][];
  chdtrc: [number, number, number][];
  ndtr: [number, number][];
  gammaln: [number, number][];
}

function loadGoldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".json") && f !== "special-functions.json")
    .sort()
    .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), "utf8")) as GoldenCase);
}

/** Largest relative error seen per quantity, printed after the run. */
const maxRelativeError = new Map<string, number>();

/** "Equal to SciPy" (PRODUCT.md 3.2): relative difference <= 1e-6, or absolute <= 1e-12 near 0. */
function expectClose(
  actual: number | null | undefined,
  expected: number | null,
  what: string,
  key: string,
): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe("number");
  const diff = Math.abs((actual as number) - expected);
  // Reported: the plain relative error, even where the 1e-12 absolute rule applies (not defined at 0).
  const plainRel = diff === 0 || expected === 0 ? 0 : diff / Math.abs(expected);
  maxRelativeError.set(key, Math.max(maxRelativeError.get(key) ?? 0, plainRel));
  const ok = diff <= 1e-12 || diff <= 1e-6 * Math.abs(expected);
  expect(ok, `${what}: got ${actual}, SciPy ${expected}`).toBe(true);
}

function toSample(s: SampleJson, exact: boolean): ColumnSample {
  if (s.counts) return { kind: "categorical", counts: new Map(Object.entries(s.counts)) };
  const sample: ColumnSample = { kind: "numeric", values: Float64Array.from(s.values!), exact };
  if (s.weights) sample.weights = Float64Array.from(s.weights);
  return sample;
}

/** np.repeat(values, counts). */
function expand(s: SampleJson): Float64Array {
  if (!s.weights) return Float64Array.from(s.values!);
  const out: number[] = [];
  s.values!.forEach((v, i) => {
    for (let k = 0; k < s.weights![i]!; k++) out.push(v);
  });
  return Float64Array.from(out);
}

function numeric(values: number[], weights?: number[]): ColumnSample {
  const s: ColumnSample = { kind: "numeric", values: Float64Array.from(values), exact: true };
  if (weights) s.weights = Float64Array.from(weights);
  return s;
}

function categorical(counts: Record<string, number>): ColumnSample {
  return { kind: "categorical", counts: new Map(Object.entries(counts)) };
}

/** n values cycling through `distinct` different numbers. */
function cycling(n: number, distinct: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => offset + (i % distinct));
}

const cases = loadGoldenCases();

afterAll(() => {
  const lines = [...maxRelativeError.entries()].sort().map(([k, v]) => `  ${k}: ${v.toExponential(2)}`);
  console.log(`max relative error vs SciPy:\n${lines.join("\n")}`);
});

describe("golden drift values from SciPy 1.10 on real data", () => {
  it("has the expected cases", () => {
    expect(cases.map((c) => c.case)).toEqual([
      "breast_cancer_by_target",
      "constant_columns",
      "diabetes_by_sex",
      "diabetes_sex_by_age",
      "digits_pixels_by_target",
      "digits_pixels_even_vs_odd",
      "flights_delay_small_current",
      "flights_first12000_vs_last8000",
      "iris_setosa_vs_versicolor",
      "iris_species_shift",
      "seattle_2012_2014_vs_2015",
      "seattle_2012_vs_2015",
      "seattle_2014_vs_2015_weather",
      "seattle_temp_max_wind_weighted",
      "wine_class0_vs_class1",
    ]);
  });

  for (const golden of cases) {
    describe(golden.case, () => {
      for (const col of golden.columns) {
        const ref = toSample(col.reference, col.exact);
        const cur = toSample(col.current, col.exact);
        const label = `${golden.case}/${col.name}`;

        it(`${col.name}: auto picks ${col.expected.auto.method} and matches`, () => {
          const got = columnDrift(col.name, ref, cur, { method: "auto" });
          const want = col.expected.auto;
          expect(got.method).toBe(want.method);
          expect(got.kind).toBe(col.kind);
          expectClose(got.statistic, want.statistic, `${label} auto statistic`, `${want.method} statistic`);
          expectClose(got.p_value, want.p_value, `${label} auto p_value`, `${want.method} p_value`);
          expect(got.drifted).toBe(want.drifted);
        });

        for (const [method, want] of Object.entries(col.expected.methods) as [
          DriftMethod,
          ExpectedResult,
        ][]) {
          it(`${col.name}: ${method}`, () => {
            const got = columnDrift(col.name, ref, cur, { method });
            expect(got.method).toBe(method);
            expectClose(got.statistic, want.statistic, `${label} ${method} statistic`, `${method} statistic`);
            expectClose(got.p_value, want.p_value, `${label} ${method} p_value`, `${method} p_value`);
            expect(got.drifted).toBe(want.drifted);
            if (want.statistic === null) expect(got.note).toBeTruthy();
          });
        }

        const ks = col.expected.ks_2samp;
        const countsOnly =
          (!col.reference.weights || col.reference.weights_are_counts) &&
          (!col.current.weights || col.current.weights_are_counts);
        if (ks && countsOnly) {
          it(`${col.name}: ks2samp in every mode equals scipy.stats.ks_2samp`, () => {
            const a = expand(col.reference);
            const b = expand(col.current);
            for (const mode of ["auto", "exact", "asymp"] as const) {
              const got = ks2samp(a, b, mode);
              expect(got.mode, `${label} ${mode}`).toBe(ks[mode].mode);
              expectClose(got.statistic, ks[mode].statistic, `${label} ks ${mode} D`, "ks_2samp statistic");
              expectClose(
                got.pvalue,
                ks[mode].pvalue,
                `${label} ks ${mode} p`,
                `ks_2samp ${ks[mode].mode} p`,
              );
            }
          });
        }

        const wd = col.expected.wasserstein_distance;
        if (wd !== undefined) {
          it(`${col.name}: wassersteinDistance equals scipy.stats.wasserstein_distance`, () => {
            const r = col.reference;
            const c = col.current;
            const got = wassersteinDistance(
              Float64Array.from(r.values!),
              Float64Array.from(c.values!),
              r.weights ? Float64Array.from(r.weights) : undefined,
              c.weights ? Float64Array.from(c.weights) : undefined,
            );
            expectClose(got, wd, `${label} wasserstein_distance`, "wasserstein_distance");
          });
        }

        it(`${col.name}: jensenShannonDistance equals scipy.spatial.distance.jensenshannon`, () => {
          const { p, q, distance } = col.expected.jensenshannon;
          const got = jensenShannonDistance(Float64Array.from(p), Float64Array.from(q));
          expectClose(got, distance, `${label} jensenshannon`, "jensenshannon");
        });
      }
    });
  }
});

describe("special functions equal SciPy's on a grid through every branch", () => {
  const grid = JSON.parse(
    readFileSync(join(GOLDEN_DIR, "special-functions.json"), "utf8"),
  ) as SpecialFunctionsGolden;

  it("kstwo.sf and smirnov", () => {
    for (const [n, x, kstwo, smirnov] of grid.kstwo_sf_and_smirnov) {
      expectClose(kolmogorovSmirnovSurvival(n, x), kstwo, `kstwo.sf(${x}, ${n})`, "kstwo.sf");
      expectClose(smirnovSurvival(n, x), smirnov, `smirnov(${n}, ${x})`, "smirnov");
    }
  });

  it("chdtrc, ndtr, gammaln", () => {
    for (const [df, x, p] of grid.chdtrc)
      expectClose(chiSquareSurvival(x, df), p, `chdtrc(${df}, ${x})`, "chdtrc");
    for (const [x, p] of grid.ndtr) expectClose(normalCdf(x), p, `ndtr(${x})`, "ndtr");
    for (const [x, g] of grid.gammaln) expectClose(logGamma(x), g, `gammaln(${x})`, "gammaln");
  });
});

describe("auto picks the method PRODUCT.md 3.1 names", () => {
  const pick = (ref: ColumnSample, cur: ColumnSample): DriftMethod =>
    columnDrift("c", ref, cur, { method: "auto" }).method;

  it("reference <= 1000 rows: ks above 5 values, chisquare for 3-5, z for <= 2", () => {
    expect(pick(numeric(cycling(1000, 6)), numeric(cycling(50, 6)))).toBe("ks");
    expect(pick(numeric(cycling(1000, 5)), numeric(cycling(50, 5)))).toBe("chisquare");
    expect(pick(numeric(cycling(1000, 3)), numeric(cycling(50, 3)))).toBe("chisquare");
    expect(pick(numeric(cycling(1000, 2)), numeric(cycling(50, 2)))).toBe("z");
    expect(pick(numeric(cycling(1000, 1)), numeric(cycling(50, 1)))).toBe("z");
    expect(pick(categorical({ a: 1, b: 1, c: 1 }), categorical({ a: 2 }))).toBe("chisquare");
    expect(pick(categorical({ a: 500, b: 500 }), categorical({ a: 2 }))).toBe("z");
  });

  it("reference > 1000 rows: Wasserstein above 5 numeric values, otherwise Jensen-Shannon", () => {
    expect(pick(numeric(cycling(1001, 6)), numeric(cycling(50, 6)))).toBe("wasserstein");
    expect(pick(numeric(cycling(1001, 5)), numeric(cycling(50, 5)))).toBe("jensenshannon");
    expect(pick(numeric(cycling(1001, 2)), numeric(cycling(50, 2)))).toBe("jensenshannon");
    expect(pick(categorical({ a: 1000, b: 1, c: 1 }), categorical({ a: 2 }))).toBe("jensenshannon");
    expect(pick(categorical({ a: 1001 }), categorical({ a: 2 }))).toBe("jensenshannon");
  });

  it("counts unique values over reference and current together", () => {
    expect(pick(numeric(cycling(100, 3)), numeric(cycling(100, 3, 10)))).toBe("ks");
    expect(pick(numeric(cycling(100, 1)), numeric(cycling(100, 1, 10)))).toBe("z");
    expect(pick(categorical({ a: 5, b: 5 }), categorical({ c: 5 }))).toBe("chisquare");
  });

  it("the 1000-row switch counts the reference's non-null rows (weights count as rows)", () => {
    expect(pick(numeric([...cycling(1000, 10), Number.NaN, Number.NaN]), numeric(cycling(9, 9)))).toBe("ks");
    expect(pick(numeric(cycling(10, 10), Array(10).fill(100.1)), numeric(cycling(9, 9)))).toBe("wasserstein");
    expect(pick(numeric(cycling(10, 10), Array(10).fill(100)), numeric(cycling(9, 9)))).toBe("ks");
  });
});

describe("edge cases are defined and never NaN", () => {
  it("empty and all-null samples: statistic and p_value null, not drifted, note 'no values'", () => {
    for (const method of ["auto", "ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"] as const) {
      const got = columnDrift("c", numeric([Number.NaN, Number.NaN]), numeric([1, 2, 3]), { method });
      expect(got).toMatchObject({ statistic: null, p_value: null, drifted: false, note: "no values" });
      const empty = columnDrift("c", numeric([1, 2]), numeric([]), { method });
      expect(empty).toMatchObject({ statistic: null, p_value: null, drifted: false, note: "no values" });
    }
    const cat = columnDrift("c", categorical({}), categorical({ a: 3 }), { method: "auto" });
    expect(cat).toMatchObject({ statistic: null, p_value: null, drifted: false, note: "no values" });
  });

  it("chi-square with a category only in the current data: statistic null, p 0, drifted, note", () => {
    const got = columnDrift(
      "plan",
      categorical({ basic: 50, plus: 30, pro: 20 }),
      categorical({ basic: 5, max: 1 }),
      {
        method: "chisquare",
      },
    );
    expect(got).toMatchObject({ statistic: null, p_value: 0, drifted: true });
    expect(got.note).toContain("max");
  });

  it("constant columns: identical constants do not drift, different constants drift with a note", () => {
    const same = columnDrift("c", numeric(Array(20).fill(7)), numeric(Array(9).fill(7)), {
      method: "wasserstein",
    });
    expect(same).toMatchObject({ statistic: 0, drifted: false });
    expect(same.note).toContain("constant");
    const ks = columnDrift("c", numeric(Array(20).fill(7)), numeric(Array(9).fill(7)), { method: "ks" });
    expect(ks).toMatchObject({ statistic: 0, p_value: 1, drifted: false });
    const diff = columnDrift("c", numeric(Array(20).fill(1)), numeric(Array(9).fill(2)), {
      method: "wasserstein",
    });
    expect(diff.statistic).toBeCloseTo(1000, 9);
    expect(diff.drifted).toBe(true);
    expect(diff.note).toContain("constant");
    const js = columnDrift("c", numeric(Array(20).fill(1)), numeric(Array(9).fill(1)), {
      method: "jensenshannon",
    });
    expect(js).toMatchObject({ statistic: 0, drifted: false });
  });

  it("one category on both sides: chi-square p 1, z-test p 1", () => {
    for (const method of ["chisquare", "z"] as const) {
      const got = columnDrift("c", categorical({ a: 10 }), categorical({ a: 4 }), { method });
      expect(got.p_value).toBe(1);
      expect(got.drifted).toBe(false);
    }
  });

  it("ks and wasserstein on a categorical column are a user error", () => {
    expect(() => columnDrift("plan", categorical({ a: 1 }), categorical({ a: 1 }), { method: "ks" })).toThrow(
      UserError,
    );
    expect(() => columnDrift("plan", categorical({ a: 1 }), numeric([1]), { method: "wasserstein" })).toThrow(
      /numeric values/,
    );
  });

  it("explicit thresholds replace the defaults and keep each test's comparison", () => {
    const ref = numeric(cycling(200, 50));
    const cur = numeric(cycling(150, 50, 3));
    const ks = columnDrift("c", ref, cur, { method: "ks" });
    expect(ks.threshold).toBe(0.05);
    const atP = columnDrift("c", ref, cur, { method: "ks", threshold: ks.p_value! });
    expect(atP.drifted).toBe(true); // ks: p <= threshold
    const chi = columnDrift("c", categorical({ a: 30, b: 20 }), categorical({ a: 10, b: 20 }), {
      method: "chisquare",
    });
    const chiAtP = columnDrift("c", categorical({ a: 30, b: 20 }), categorical({ a: 10, b: 20 }), {
      method: "chisquare",
      threshold: chi.p_value!,
    });
    expect(chiAtP.drifted).toBe(false); // chisquare: p < threshold
    const w = columnDrift("c", ref, cur, { method: "wasserstein" });
    expect(columnDrift("c", ref, cur, { method: "wasserstein", threshold: w.statistic! }).drifted).toBe(true);
    const defaults = (["psi", "kl", "hellinger", "jensenshannon", "z"] as const).map(
      (method) => columnDrift("c", ref, cur, { method }).threshold,
    );
    expect(defaults).toEqual([0.1, 0.1, 0.1, 0.1, 0.05]);
  });

  it("approximate samples and mixed kinds say so in the note", () => {
    const sketch: ColumnSample = { kind: "numeric", values: Float64Array.from([1, 2, 3]), exact: false };
    expect(columnDrift("c", sketch, numeric([1, 2, 4]), { method: "ks" }).note).toContain("approximate");
    const mixed = columnDrift("c", numeric([1, 2, 2]), categorical({ "1": 3, "2": 1 }), { method: "auto" });
    expect(mixed.kind).toBe("categorical");
    expect(mixed.note).toContain("compared as categories");
  });

  it("integer weights give the same result as repeated values", () => {
    const values = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5];
    const counts = [3, 1, 4, 1, 5, 9, 2];
    const repeated = values.flatMap((v, i) => Array(counts[i]).fill(v) as number[]);
    const cur = numeric([1, 2, 2, 3, 5, 8, 13, 0.5, 0.5]);
    for (const method of [
      "ks",
      "wasserstein",
      "chisquare",
      "z",
      "jensenshannon",
      "psi",
      "kl",
      "hellinger",
    ] as const) {
      const weighted = columnDrift("c", numeric(values, counts), cur, { method });
      const plain = columnDrift("c", numeric(repeated), cur, { method });
      expect(weighted.method).toBe(plain.method);
      if (plain.statistic === null) expect(weighted.statistic).toBeNull();
      else expect(weighted.statistic).toBeCloseTo(plain.statistic, 12);
      if (plain.p_value === null) expect(weighted.p_value).toBeNull();
      else expect(weighted.p_value).toBeCloseTo(plain.p_value, 12);
    }
  });

  const value = fc.oneof(
    fc.integer({ min: -3, max: 3 }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, -0, 1.7e308, -1.7e308, 5e-324),
  );
  const numericSample = fc.record({
    values: fc.array(value, { maxLength: 25 }),
    weighted: fc.boolean(),
    weightSeed: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 25, maxLength: 25 }),
    exact: fc.boolean(),
  });
  const toNumeric = (s: { values: number[]; weighted: boolean; weightSeed: number[]; exact: boolean }) => {
    const sample: ColumnSample = { kind: "numeric", values: Float64Array.from(s.values), exact: s.exact };
    if (s.weighted) sample.weights = Float64Array.from(s.values, (_, i) => s.weightSeed[i]!);
    return sample;
  };
  const categoricalSample = fc
    .dictionary(fc.constantFrom("a", "b", "c", "d", "é", "😀"), fc.integer({ min: 0, max: 40 }))
    .map((counts): ColumnSample => ({ kind: "categorical", counts: new Map(Object.entries(counts)) }));
  const method = fc.constantFrom<"auto" | DriftMethod>(
    "auto",
    "ks",
    "chisquare",
    "z",
    "wasserstein",
    "jensenshannon",
    "psi",
    "kl",
    "hellinger",
  );
  const finiteOrNull = (v: number | null) => v === null || Number.isFinite(v);

  it("property: random small samples give finite-or-null statistic and p_value, never NaN", () => {
    fc.assert(
      fc.property(numericSample, numericSample, method, (a, b, m) => {
        const got = columnDrift("c", toNumeric(a), toNumeric(b), { method: m });
        expect(finiteOrNull(got.statistic), JSON.stringify(got)).toBe(true);
        expect(finiteOrNull(got.p_value), JSON.stringify(got)).toBe(true);
        if (got.p_value !== null) expect(got.p_value >= 0 && got.p_value <= 1).toBe(true);
        expect(typeof got.drifted).toBe("boolean");
      }),
      { numRuns: 600 },
    );
    fc.assert(
      fc.property(categoricalSample, categoricalSample, method, (a, b, m) => {
        if (m === "ks" || m === "wasserstein") return;
        const got = columnDrift("c", a, b, { method: m });
        expect(finiteOrNull(got.statistic), JSON.stringify(got)).toBe(true);
        expect(finiteOrNull(got.p_value), JSON.stringify(got)).toBe(true);
        expect(typeof got.drifted).toBe("boolean");
      }),
      { numRuns: 400 },
    );
  });

  it("property: ks2samp p-values are in [0, 1] and symmetric in the two samples", () => {
    const arr = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(arr, arr, fc.constantFrom("auto", "exact", "asymp" as const), (a, b, mode) => {
        const x = Float64Array.from(a);
        const y = Float64Array.from(b);
        const r = ks2samp(x, y, mode);
        expect(r.pvalue >= 0 && r.pvalue <= 1).toBe(true);
        const s = ks2samp(y, x, mode);
        expect(s.statistic).toBe(r.statistic);
        expect(Math.abs(s.pvalue - r.pvalue)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 300 },
    );
  });
});

describe("low-level functions mirror SciPy's input rules", () => {
  it("ks2samp rejects empty or non-finite samples", () => {
    expect(() => ks2samp(new Float64Array(0), Float64Array.from([1]))).toThrow(RangeError);
    expect(() => ks2samp(Float64Array.from([Number.NaN]), Float64Array.from([1]))).toThrow(RangeError);
  });

  it("chisquare: scipy's sum check, infinite statistic for an expected 0", () => {
    expect(() => chisquare(Float64Array.from([1, 2]), Float64Array.from([1, 1]))).toThrow(RangeError);
    expect(chisquare(Float64Array.from([3, 0]), Float64Array.from([1.5, 1.5]))).toEqual({
      statistic: 3,
      pvalue: chiSquareSurvival(3, 1),
    });
    expect(chisquare(Float64Array.from([2, 1]), Float64Array.from([3, 0]))).toEqual({
      statistic: Number.POSITIVE_INFINITY,
      pvalue: 0,
    });
  });

  it("wassersteinDistance rejects bad weights like SciPy", () => {
    const v = Float64Array.from([1, 2]);
    expect(() => wassersteinDistance(v, v, Float64Array.from([1, -1]))).toThrow(RangeError);
    expect(() => wassersteinDistance(v, v, Float64Array.from([0, 0]))).toThrow(RangeError);
    expect(() => wassersteinDistance(new Float64Array(0), v)).toThrow(RangeError);
  });

  it("jensenShannonDistance: base changes the log, identical inputs give 0", () => {
    const p = Float64Array.from([0.2, 0.3, 0.5]);
    const q = Float64Array.from([0.5, 0.3, 0.2]);
    const nat = jensenShannonDistance(p, q);
    expect(jensenShannonDistance(p, q, 2)).toBeCloseTo(nat / Math.sqrt(Math.LN2), 14);
    expect(jensenShannonDistance(p, p)).toBe(0);
  });
});

describe("datasetDrift", () => {
  const col = (drifted: boolean): ColumnDrift => ({
    name: "c",
    kind: "numeric",
    method: "ks",
    statistic: 0.1,
    p_value: 0.5,
    threshold: 0.05,
    drifted,
  });

  it("drifts when the share of drifted columns is >= the share (default 0.5)", () => {
    expect(datasetDrift([col(true), col(false)])).toEqual({
      drifted_columns: 1,
      share_drifted: 0.5,
      dataset_drifted: true,
    });
    expect(datasetDrift([col(true), col(false), col(false)])).toEqual({
      drifted_columns: 1,
      share_drifted: 1 / 3,
      dataset_drifted: false,
    });
    expect(datasetDrift([col(true), col(false), col(false)], 0.3).dataset_drifted).toBe(true);
    expect(datasetDrift([col(false)], 0).dataset_drifted).toBe(true);
  });

  it("no columns: nothing drifted", () => {
    expect(datasetDrift([])).toEqual({ drifted_columns: 0, share_drifted: 0, dataset_drifted: false });
  });
});
