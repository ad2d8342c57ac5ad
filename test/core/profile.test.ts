import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Cell,
  type ColumnProfile,
  columnSampleFromProfile,
  createProfiler,
  mergeProfiles,
  type Profile,
  profileToJson,
  type SketchSettings,
} from "../../src/core/profile.js";
import { parseProfile } from "../../src/core/profile-schema.js";
import { FrequentItems, mergeFrequentItems } from "../../src/core/sketch/frequent-items.js";
import { HyperLogLog, hllStandardError } from "../../src/core/sketch/hyperloglog.js";
import { KllSketch, kllRankError, weightedItemsOf, weightedRank } from "../../src/core/sketch/kll.js";
import { hashBytes, hashNumber, hashOut, hashText, utf8Scratch } from "../../src/core/sketch/value-hash.js";
import { UserError } from "../../src/errors.js";

/** Profiles `rows` as `parts` contiguous shards (shard i of parts.length). */
function profileShards(columns: string[], parts: Cell[][][], sketch?: Partial<SketchSettings>): Profile[] {
  return parts.map((rows, i) => {
    const profiler = createProfiler(columns, {
      ...(sketch && { sketch }),
      source: {
        name: "t.csv",
        format: "csv",
        bytes: 100,
        shard: { count: parts.length, ranges: [{ index: i, start: i, end: i + 1 }] },
      },
    });
    for (const row of rows) profiler.add(row);
    return profiler.finish();
  });
}

function profileAll(columns: string[], rows: Cell[][], sketch?: Partial<SketchSettings>): Profile {
  const profiler = createProfiler(columns, {
    ...(sketch && { sketch }),
    source: { name: "t.csv", format: "csv", bytes: 100, shard: null },
  });
  for (const row of rows) profiler.add(row);
  return profiler.finish();
}

/** Cuts `rows` into `n` contiguous, possibly empty, parts at the given fractions. */
function cut<T>(rows: T[], fractions: number[]): T[][] {
  const points = fractions.map((f) => Math.floor(f * rows.length)).sort((a, b) => a - b);
  const parts: T[][] = [];
  let at = 0;
  for (const p of points) {
    parts.push(rows.slice(at, p));
    at = p;
  }
  parts.push(rows.slice(at));
  return parts;
}

const relClose = (a: number, b: number, tol = 1e-9) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

/** Everything a one-pass profile and a merge must agree on exactly, or to rounding. */
function expectSameExactParts(merged: Profile, all: Profile): void {
  expect(merged.rows).toBe(all.rows);
  expect(merged.source.shard).toBeNull();
  merged.columns.forEach((m, c) => {
    const a = all.columns[c]!;
    expect(m.name).toBe(a.name);
    expect(m.kind).toBe(a.kind);
    expect(m.count).toBe(a.count);
    expect(m.nulls).toBe(a.nulls);
    expect(m.distinct.exact).toBe(a.distinct.exact);
    // HLL merges exactly (register max) and exact counts rebuild the same registers.
    expect(m.distinct.estimate).toBe(a.distinct.estimate);
    expect(m.distinct.hll).toBe(a.distinct.hll);
    expect(m.numbers === null).toBe(a.numbers === null);
    if (m.numbers && a.numbers) {
      expect(m.numbers.count).toBe(a.numbers.count);
      expect(m.numbers.min).toBe(a.numbers.min);
      expect(m.numbers.max).toBe(a.numbers.max);
      expect(relClose(m.numbers.mean, a.numbers.mean)).toBe(true);
      expect(
        relClose(m.numbers.variance, a.numbers.variance, 1e-9) ||
          Math.abs(m.numbers.variance - a.numbers.variance) < 1e-12 * a.numbers.mean ** 2,
      ).toBe(true);
      expect(m.numbers.values).toEqual(a.numbers.values);
      expect(m.numbers.counts).toEqual(a.numbers.counts);
      if (a.numbers.values !== null) expect(m.numbers.quantiles).toEqual(a.numbers.quantiles);
    }
    if (a.text === null || a.text.error === 0) expect(m.text).toEqual(a.text);
  });
}

const cellArb: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 5 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom("a", "b", "c", "dé", "𝄞", "", "1.50", "1.5", "NA", "true") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.boolean() },
);

describe("profiles: one pass vs merged shards", () => {
  it("property: merged shards equal one pass exactly for counts, nulls, min/max, kept values, count tables, distinct; to 1e-9 for mean/variance", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(cellArb, { minLength: 4, maxLength: 4 }), { maxLength: 80 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
        (_w, rows, fractions) => {
          const columns = ["a", "b", "c", "d"];
          // small limits so both the exact and the sketched paths are exercised
          const sketch = { exact_values: 20, exact_counts: 6, frequent_k: 5, kll_k: 8 };
          const all = profileAll(columns, rows, sketch);
          const merged = mergeProfiles(profileShards(columns, cut(rows, fractions), sketch));
          expectSameExactParts(merged, all);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: merging is commutative and associative (exact parts equal, sketches within bounds)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cellArb, { minLength: 2, maxLength: 2 }), { minLength: 3, maxLength: 60 }),
        (rows) => {
          const columns = ["x", "y"];
          const sketch = { exact_values: 10, exact_counts: 4, frequent_k: 4, kll_k: 8 };
          const [a, b, c] = profileShards(columns, cut(rows, [0.3, 0.6]), sketch) as [
            Profile,
            Profile,
            Profile,
          ];
          const left = mergeProfiles([mergeProfiles([a, b]), c]);
          const right = mergeProfiles([a, mergeProfiles([b, c])]);
          const shuffled = mergeProfiles([c, a, b]);
          const all = profileAll(columns, rows, sketch);
          for (const m of [left, right, shuffled]) expectSameExactParts(m, all);
          expect(profileToJson(shuffled)).toBe(profileToJson(mergeProfiles([a, b, c])));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is deterministic: the same rows give the same bytes", () => {
    const rows: Cell[][] = Array.from({ length: 30_000 }, (_, i) => [
      String((i * 7919) % 10007),
      `k${i % 1500}`,
      i % 3 ? String(i / 7) : null,
    ]);
    const a = profileToJson(profileAll(["n", "k", "m"], rows));
    const b = profileToJson(profileAll(["n", "k", "m"], rows));
    expect(a).toBe(b);
  });

  it("exact small columns: values, quantiles like numpy, category counts, kinds", () => {
    const rows: Cell[][] = [
      ["1", "basic", null, "x"],
      ["2", "plus", null, "3"],
      ["3.5", "basic", null, "4"],
      ["10", "pro", null, null],
    ];
    const p = profileAll(["n", "plan", "empty", "mixed"], rows);
    const [n, plan, empty, mixed] = p.columns as [ColumnProfile, ColumnProfile, ColumnProfile, ColumnProfile];
    expect(n.kind).toBe("numeric");
    expect(n.numbers!.values).toEqual([1, 2, 3.5, 10]);
    expect(n.numbers!.mean).toBe(4.125);
    expect(n.numbers!.variance).toBe(12.296875); // numpy.var([1, 2, 3.5, 10])
    expect(n.numbers!.std).toBeCloseTo(Math.sqrt(49.1875 / 3), 12); // pandas .std() (ddof 1)
    // numpy.quantile(..., [0.25, 0.5, 0.75]) = 1.75, 2.75, 5.125
    expect(n.numbers!.quantiles.values.slice(2, 5)).toEqual([1.75, 2.75, 5.125]);
    expect(n.numbers!.histogram.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(n.distinct).toEqual({ estimate: 4, exact: true, hll: null });
    expect(plan.kind).toBe("categorical");
    expect(plan.text!.items).toEqual([
      ["basic", 2],
      ["plus", 1],
      ["pro", 1],
    ]);
    expect(plan.numbers).toBeNull();
    expect(empty.kind).toBe("empty");
    expect(empty.nulls).toBe(4);
    expect(mixed.kind).toBe("categorical");
    expect(mixed.numbers!.count).toBe(2);
    expect(mixed.text!.items).toEqual([["x", 1]]);
  });

  it("1.50 and 1.5 are one value; JSONL numbers and CSV text agree", () => {
    const a = profileAll(["v"], [["1.50"], ["1.5"], ["2"]]);
    const b = profileAll(["v"], [[1.5], [1.5], [2]]);
    expect(profileToJson(a)).toBe(profileToJson(b));
    expect(a.columns[0]!.numbers!.counts).toEqual([
      [1.5, 2],
      [2, 1],
    ]);
  });
});

describe("KLL quantile sketch", () => {
  const eps = kllRankError(200);

  it("states ≈1.65% rank error for k = 200 (99% confidence, all ranks)", () => {
    expect(eps).toBeGreaterThan(0.016);
    expect(eps).toBeLessThan(0.017);
    expect(kllRankError(200, false)).toBeCloseTo(0.0133, 3);
  });

  /** Largest |sketch rank − true rank| over 199 evenly spaced true quantiles. */
  function maxRankError(sketch: KllSketch, sorted: Float64Array): number {
    const { values, weights } = sketch.weightedItems();
    let worst = 0;
    for (let i = 1; i < 200; i++) {
      const x = sorted[Math.floor((i / 200) * sorted.length)]!;
      // true rank of x: share of values ≤ x
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      worst = Math.max(worst, Math.abs(weightedRank(values, weights, x) - lo / sorted.length));
    }
    return worst;
  }

  it("property: ranks within the bound, for one stream and for merged shards (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 120_000 }),
        fc.constantFrom("uniform", "normal", "sorted", "reversed", "few"),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (n, shape, shards, seed) => {
          let s = seed;
          const rand = () => {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            s >>>= 0;
            return s / 4294967296;
          };
          const data = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            data[i] =
              shape === "uniform"
                ? rand()
                : shape === "normal"
                  ? Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand())
                  : shape === "sorted"
                    ? i
                    : shape === "reversed"
                      ? n - i
                      : Math.floor(rand() * 7);
          }
          const sorted = Float64Array.from(data).sort();
          const one = new KllSketch(200, seed);
          for (const v of data) one.add(v);
          expect(one.n).toBe(n);
          expect(maxRankError(one, sorted)).toBeLessThanOrEqual(eps);
          const parts = Array.from({ length: shards }, (_, i) => {
            const sk = new KllSketch(200, seed + i);
            for (let j = Math.floor((i * n) / shards); j < Math.floor(((i + 1) * n) / shards); j++)
              sk.add(data[j]!);
            return sk;
          });
          const merged = parts[0]!;
          for (const p of parts.slice(1)) merged.merge(p);
          expect(merged.n).toBe(n);
          expect(maxRankError(merged, sorted)).toBeLessThanOrEqual(eps);
          // weights always add up to n
          const { weights } = weightedItemsOf(merged.state());
          expect(weights.reduce((a, b) => a + b, 0)).toBe(n);
        },
      ),
      { numRuns: 25, seed: 20240611 },
    );
  });

  it("with the sampler (n > 16k²): ranks still within the bound, weights still add up to n", () => {
    for (const [n, seed] of [
      [1_500_000, 3],
      [3_000_000, 11],
    ] as const) {
      let s = seed;
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        data[i] = i % 3 === 0 ? s : i; // half a trend, half noise
      }
      const sketch = new KllSketch(200, seed);
      for (const v of data) sketch.add(v);
      expect(maxRankError(sketch, Float64Array.from(data).sort())).toBeLessThanOrEqual(eps);
      const { weights } = sketch.weightedItems();
      expect(weights.reduce((a, b) => a + b, 0)).toBe(n);
      // a merge after sampling keeps every weight
      const other = new KllSketch(200, seed + 1);
      for (let i = 0; i < 1000; i++) other.add(i);
      sketch.merge(other);
      expect(sketch.weightedItems().weights.reduce((a, b) => a + b, 0)).toBe(n + 1000);
    }
  });

  it("uses O(k log n) space", () => {
    const sketch = new KllSketch(200, 7);
    for (let i = 0; i < 1_000_000; i++) sketch.add(i % 9973);
    const items = sketch.state().levels.reduce((a, l) => a + l.length, 0);
    expect(items).toBeLessThan(1200);
  });

  it("profile quantiles from the sketch are within the rank bound", () => {
    const n = 50_000;
    const rows: Cell[][] = Array.from({ length: n }, (_, i) => [String((i * 104729) % n)]);
    const p = profileAll(["v"], rows);
    const numbers = p.columns[0]!.numbers!;
    expect(numbers.values).toBeNull();
    expect(numbers.quantiles.exact).toBe(false);
    numbers.quantiles.q.forEach((q, i) => {
      const rank = numbers.quantiles.values[i]! / n; // values are a permutation of 0..n-1
      expect(Math.abs(rank - q)).toBeLessThanOrEqual(eps);
    });
  });
});

describe("HyperLogLog distinct count", () => {
  it("standard error 1.04/√m: 0.81% at p = 14", () => {
    expect(hllStandardError(14)).toBeCloseTo(0.008125, 6);
  });

  it("property: estimates within 3 standard errors, and merging equals the sketch of the union", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 1e9 }), (n, offset) => {
        const all = new HyperLogLog(14);
        const a = new HyperLogLog(14);
        const b = new HyperLogLog(14);
        for (let i = 0; i < n; i++) {
          const text = `v${offset + i}`;
          hashText(text);
          all.add(hashOut[0]!, hashOut[1]!);
          (i % 3 === 0 ? a : b).add(hashOut[0]!, hashOut[1]!);
          if (i % 5 === 0) b.add(hashOut[0]!, hashOut[1]!); // duplicates across shards
        }
        a.merge(b);
        expect(a.registers).toEqual(all.registers);
        const estimate = all.estimate();
        expect(Math.abs(estimate - n)).toBeLessThanOrEqual(3 * hllStandardError(14) * n + 2);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("numbers hash by value: -0 and 0 are one value, 1.5 is not 1.5000001", () => {
    hashNumber(-0);
    const neg = [...hashOut];
    hashNumber(0);
    expect([...hashOut]).toEqual(neg);
    hashNumber(1.5);
    const a = [...hashOut];
    hashNumber(1.5000001);
    expect([...hashOut]).not.toEqual(a);
  });

  it("hashes of bytes do not depend on where the bytes sit in a buffer", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (text, pad) => {
        hashText(text);
        const expected = [...hashOut];
        const { bytes, length } = utf8Scratch(text);
        const shifted = new Uint8Array(pad + length + 3);
        shifted.set(bytes.subarray(0, length), pad);
        hashBytes(shifted, new DataView(shifted.buffer), pad, pad + length);
        expect([...hashOut]).toEqual(expected);
      }),
    );
  });
});

describe("Misra–Gries frequent items", () => {
  const enc = new TextEncoder();
  function count(k: number, values: string[]): FrequentItems {
    const fi = new FrequentItems(k);
    for (const v of values) {
      const bytes = enc.encode(v);
      const view = new DataView(bytes.buffer);
      hashBytes(bytes, view, 0, bytes.length);
      fi.add(bytes, view, 0, bytes.length, hashOut[0]!, hashOut[1]!);
    }
    return fi;
  }

  it("property: counts are lower bounds at most `error` ≤ n/(k+1) low, for one stream and merged", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.integer({ min: 0, max: 40 }).map((i) => `item${i % 7 === 0 ? i : i % 5}`),
          { maxLength: 400 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (k, values, at) => {
          const truth = new Map<string, number>();
          for (const v of values) truth.set(v, (truth.get(v) ?? 0) + 1);
          const split = Math.floor(at * values.length);
          const one = count(k, values).state();
          const merged = mergeFrequentItems(
            count(k, values.slice(0, split)).state(),
            count(k, values.slice(split)).state(),
          );
          for (const s of [one, merged]) {
            expect(s.n).toBe(values.length);
            expect(s.error).toBeLessThanOrEqual(values.length / (k + 1));
            expect(s.items.length).toBeLessThanOrEqual(k);
            const got = new Map(s.items);
            for (const [v, c] of truth) {
              const est = got.get(v) ?? 0;
              expect(est).toBeLessThanOrEqual(c);
              expect(c - est).toBeLessThanOrEqual(s.error);
            }
            if (truth.size <= k) expect(s.error).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keys compare bytes, not hashes: a forged hash collision does not merge two values", () => {
    const fi = new FrequentItems(4);
    const a = enc.encode("alpha");
    const b = enc.encode("bravo");
    const av = new DataView(a.buffer);
    const bv = new DataView(b.buffer);
    fi.add(a, av, 0, a.length, 1, 2);
    fi.add(b, bv, 0, b.length, 1, 2);
    fi.add(a, av, 0, a.length, 1, 2);
    expect(fi.state().items).toEqual([
      ["alpha", 2],
      ["bravo", 1],
    ]);
  });

  it("long keys (over the inline 64 bytes) count correctly", () => {
    const long = "x".repeat(100);
    const fi = count(3, [long, long, `${long}y`, long]);
    expect(fi.state().items).toEqual([
      [long, 3],
      [`${long}y`, 1],
    ]);
  });
});

describe("samples for drift from stored profiles", () => {
  it("exact values when kept, KLL items with weights otherwise, category counts with their approximation", () => {
    const small = profileAll(
      ["v", "c"],
      [
        ["3", "a"],
        ["1", "b"],
        ["2", "a"],
      ],
    );
    const s = columnSampleFromProfile(small.columns[0]!);
    expect(s).toEqual({
      kind: "numeric",
      values: Float64Array.from([1, 2, 3]),
      exact: true,
      approximation: "exact",
    });
    const c = columnSampleFromProfile(small.columns[1]!);
    expect(c.kind).toBe("categorical");
    if (c.kind === "categorical") {
      expect([...c.counts]).toEqual([
        ["a", 2],
        ["b", 1],
      ]);
      expect(c.exact).toBe(true);
    }
    const big = profileAll(
      ["v"],
      Array.from({ length: 20_000 }, (_, i) => [String(i)]),
    );
    const k = columnSampleFromProfile(big.columns[0]!);
    expect(k.kind).toBe("numeric");
    if (k.kind === "numeric") {
      expect(k.exact).toBe(false);
      expect(k.approximation).toMatch(/KLL/);
      expect(k.weights!.reduce((a, b) => a + b, 0)).toBe(20_000);
    }
    const asCategories = columnSampleFromProfile(big.columns[0]!, "categorical");
    expect(asCategories.exact).toBe(false);
    expect(asCategories.approximation).toMatch(/not counted/);
  });
});

describe("profile JSON", () => {
  const rows: Cell[][] = Array.from({ length: 12_000 }, (_, i) => [
    String(i % 1234),
    `c${i % 1500}`,
    i % 4 ? "x" : null,
  ]);
  const profile = profileAll(["n", "c", "x"], rows);

  it("round-trips through JSON and zod validation", () => {
    const back = parseProfile(JSON.parse(profileToJson(profile)), "p.json");
    expect(back).toEqual(profile);
    expect(profileToJson(back)).toBe(profileToJson(profile));
  });

  it("rejects damaged or foreign JSON with the file and the field", () => {
    const damaged = JSON.parse(profileToJson(profile));
    damaged.columns[0].nulls = -1;
    expect(() => parseProfile(damaged, "p.json")).toThrow(
      /p\.json: not a valid mlgate profile at columns\[0\]\.nulls/,
    );
    const weights = JSON.parse(profileToJson(profile));
    weights.columns[1].text.n += 1;
    expect(() => parseProfile(weights, "p.json")).toThrow(/differ from count/);
    expect(() => parseProfile({ schema: "mlgate.profile/v9" }, "p.json")).toThrow(
      /format mlgate\.profile\/v9/,
    );
    expect(() => parseProfile([1, 2], "p.json")).toThrow(UserError);
  });
});

describe("merge errors", () => {
  const shards = profileShards(["a"], [[["1"]], [["2"]], [["3"]]]);

  it("mismatched columns, sources or settings are UserErrors naming the inputs", () => {
    const other = profileShards(["b"], [[["1"]], [["2"]]]);
    expect(() => mergeProfiles([shards[0]!, other[1]!], ["s0.json", "x1.json"])).toThrow(
      /x1\.json: columns \[b\] differ/,
    );
    const renamed = { ...shards[1]!, source: { ...shards[1]!.source, name: "u.csv" } };
    expect(() => mergeProfiles([shards[0]!, renamed], ["s0.json", "s1.json"])).toThrow(
      /s1\.json: profiles a different source/,
    );
    const settings = { ...shards[1]!, sketch: { ...shards[1]!.sketch, kll_k: 100 } };
    expect(() => mergeProfiles([shards[0]!, settings])).toThrow(/sketch settings/);
  });

  it("a shard twice, a whole-file profile, or ranges that do not meet are refused", () => {
    expect(() => mergeProfiles([shards[0]!, shards[0]!], ["a.json", "b.json"])).toThrow(
      /shard 0\/3 is also in a\.json/,
    );
    const whole = profileAll(["a"], [["1"]]);
    expect(() => mergeProfiles([shards[0]!, { ...whole, source: { ...whole.source } }])).toThrow(
      /whole file/,
    );
    const gap = structuredClone(shards[1]!);
    gap.source.shard!.ranges[0]!.start = 5;
    expect(() => mergeProfiles([shards[0]!, gap])).toThrow(/disagree on where a record starts/);
  });

  it("a partial merge keeps its ranges; all shards make a whole-file profile", () => {
    const partial = mergeProfiles([shards[2]!, shards[0]!]);
    expect(partial.source.shard).toEqual({
      count: 3,
      ranges: [
        { index: 0, start: 0, end: 1 },
        { index: 2, start: 2, end: 3 },
      ],
    });
    expect(mergeProfiles([partial, shards[1]!]).source.shard).toBeNull();
  });
});
