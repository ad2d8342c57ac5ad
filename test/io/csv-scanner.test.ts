import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  createProfiler,
  type Profile,
  profileToJson,
  type SketchSettings,
  sketchSettings,
} from "../../src/core/profile.js";
import { type CheckResult, createSchemaChecker, type TableRules } from "../../src/core/schema-check.js";
import { UserError } from "../../src/errors.js";
import { integerGrammar, parseNumberBytes, type ScanJob, scanCsvRange } from "../../src/io/csv-scanner.js";
import { profileTable, scanInRanges } from "../../src/io/table-profiler.js";
import { openTable } from "../../src/io/table-reader.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BAD = join(ROOT, "test/fixtures/bad");
const dir = mkdtempSync(join(tmpdir(), "mlgate-csv-scanner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function tempFile(name: string, content: string | Uint8Array): string {
  const sub = join(dir, String(counter++));
  mkdirSync(sub);
  const path = join(sub, name);
  writeFileSync(path, content);
  return path;
}

const SMALL_SKETCH: Partial<SketchSettings> = { exact_values: 6, exact_counts: 3, frequent_k: 3, kll_k: 8 };

type Outcome =
  | { error: string }
  | { columns: string[]; rows: number; profile: Profile; checks: CheckResult[] };

/** What the reference reader (`openTable`) gives, profiled and checked row by row. */
async function reference(
  path: string,
  delimiter: string,
  rules: TableRules,
  sketch?: Partial<SketchSettings>,
): Promise<Outcome> {
  try {
    const table = await openTable(path, { format: "csv", delimiter, displayName: "data.csv" });
    const profiler = createProfiler(table.columns, {
      ...(sketch && { sketch }),
      source: { name: "data.csv", format: "csv", bytes: statSync(path).size, shard: null },
    });
    const checker = createSchemaChecker(rules, table.columns);
    let rows = 0;
    for await (const row of table.rows) {
      profiler.add(row.values);
      checker.add(row);
      rows++;
    }
    return { columns: table.columns, rows, profile: profiler.finish(), checks: checker.finish() };
  } catch (err) {
    if (err instanceof UserError) return { error: err.message };
    throw err;
  }
}

function job(
  path: string,
  columns: string[],
  delimiter: string,
  rules: TableRules | null,
  chunk: number,
  sketch?: Partial<SketchSettings>,
): ScanJob {
  const size = statSync(path).size;
  return {
    path,
    delimiter: delimiter.charCodeAt(0),
    columns,
    rules,
    sketch: sketchSettings(sketch),
    source: { name: "data.csv", format: "csv", bytes: size, shard: null },
    start: 0,
    stop: size,
    firstLine: 1,
    chunk,
  };
}

// ---------------------------------------------------------------------------------
// Random CSV files

const textArb = fc.string({
  unit: fc.constantFrom(
    "a",
    "b",
    "Z",
    " ",
    ",",
    ";",
    "\t",
    '"',
    "\n",
    "\r",
    "é",
    "€",
    "𝄞",
    "\uFEFF",
    "1",
    "0",
    ".",
    "-",
    "e",
  ),
  maxLength: 8,
});
const numberTextArb = fc.oneof(
  fc.double({ noNaN: true }).map(String),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => d.toFixed(3)),
  fc.constantFrom(
    "1.",
    ".5",
    "+.5e-3",
    "007",
    "-0",
    "1e400",
    "1e",
    ".",
    "-",
    "12345678901234567890",
    "0.1e-400",
    "3.0",
    "1E5",
    "+1",
    "1,5",
    " 1",
  ),
);
const valueArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: numberTextArb },
  { weight: 3, arbitrary: textArb },
  { weight: 2, arbitrary: fc.constantFrom("basic", "plus", "pro", "true", "FALSE", "2024-02-29", "") },
);

interface CsvSpec {
  delimiter: string;
  rows: (string | null)[][];
  crlf: boolean;
  bom: boolean;
  trailingNewline: boolean;
  quoteAll: boolean;
  blankLines: number[];
}

const csvArb: fc.Arbitrary<CsvSpec> = fc
  .record({
    delimiter: fc.constantFrom(",", ";", "\t", "|"),
    width: fc.integer({ min: 1, max: 4 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    trailingNewline: fc.boolean(),
    quoteAll: fc.boolean(),
    blankLines: fc.array(fc.nat(40), { maxLength: 3 }),
    body: fc.array(fc.array(valueArb, { minLength: 4, maxLength: 4 }), { maxLength: 40 }),
  })
  .map(({ width, body, ...rest }) => ({
    ...rest,
    rows: [Array.from({ length: width }, (_, i) => `c${i}`), ...body.map((r) => r.slice(0, width))],
  }));

function toCsv(spec: CsvSpec): string {
  const d = spec.delimiter;
  const field = (v: string | null) => {
    if (v === null) return "";
    const needsQuotes =
      spec.quoteAll || v === "" || v.includes(d) || /["\r\n]/.test(v) || v.startsWith("\uFEFF");
    return needsQuotes ? `"${v.replaceAll('"', '""')}"` : v;
  };
  const eol = spec.crlf ? "\r\n" : "\n";
  const lines = spec.rows.map((r) => r.map(field).join(d));
  for (const at of spec.blankLines) lines.splice(Math.min(lines.length, 1 + at), 0, "");
  return (spec.bom ? "\uFEFF" : "") + lines.join(eol) + (spec.trailingNewline ? eol : "");
}

type Allowed = (string | number | boolean)[];
const rulesArb: fc.Arbitrary<TableRules> = fc
  .array(
    fc.oneof(
      fc.record({ type: fc.constant("number" as const), min: fc.constant(-1), max: fc.constant(100) }),
      fc.record({
        type: fc.constant("integer" as const),
        nullable: fc.boolean(),
        max_null_share: fc.constant(0.3),
      }),
      fc.record({ type: fc.constant("boolean" as const), values: fc.constant<Allowed>([true]) }),
      fc.record({
        type: fc.constant("category" as const),
        values: fc.constant<Allowed>(["basic", "plus", "pro"]),
      }),
      fc.record({
        type: fc.constant("string" as const),
        regex: fc.constant("[a-z]+"),
        max_length: fc.constant(3),
      }),
      fc.record({ type: fc.constant("date" as const) }),
      fc.record({ type: fc.constant("number" as const), values: fc.constant<Allowed>([1, 0.5, -0]) }),
      fc.record({ type: fc.constant("string" as const), unique: fc.constant(true) }),
    ),
    { minLength: 0, maxLength: 4 },
  )
  .chain((cols) =>
    fc.record({
      columns: fc.constant(Object.fromEntries(cols.map((c, i) => [`c${i}`, c]))),
      rows: fc.constant({ min: 2 }),
      unique_together: fc.option(fc.constant<string[][]>([["c0", "c1"]]), { nil: undefined }),
    }),
  )
  .map((r) => (r.unique_together === undefined ? { columns: r.columns, rows: r.rows } : r));

// ---------------------------------------------------------------------------------

describe("numbers straight from bytes", () => {
  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  const expected = (s: string) => {
    if (!NUMBER.test(s)) return Number.NaN;
    const n = Number(s);
    return Number.isFinite(n) ? n : Number.NaN;
  };
  const check = (s: string) => {
    const bytes = new TextEncoder().encode(`xx${s}yy`);
    const got = parseNumberBytes(bytes, 2, bytes.length - 2);
    expect(Object.is(got, expected(s)) || (Number.isNaN(got) && Number.isNaN(expected(s)))).toBe(true);
    if (!Number.isNaN(got)) expect(integerGrammar).toBe(/^[+-]?\d+$/.test(s));
  };

  it("property: equals Number(text) under the schema's number grammar (finite), bit for bit", () => {
    fc.assert(fc.property(numberTextArb, check), { numRuns: 2000 });
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 20 }),
        (d, digits) => {
          check(String(d));
          check(d.toExponential(digits));
          if (Math.abs(d) < 1e21) check(d.toFixed(digits));
          check(d.toPrecision(digits + 1));
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("0", "1", "9", ".", "e", "E", "+", "-", "5"), maxLength: 30 }),
        check,
      ),
      {
        numRuns: 3000,
      },
    );
  });

  it("edge cases", () => {
    for (const s of [
      "0",
      "-0",
      "+0",
      "0.0",
      "-0.0e5",
      "1e22",
      "1e23",
      "9007199254740993",
      "123456789012345",
      "1234567890123456",
      "0.000001",
      "5e-324",
      "1.7976931348623157e308",
      "1.8e308",
      "2.2250738585072014e-308",
    ]) {
      check(s);
    }
  });
});

describe("the fast scanner reads what openTable reads", () => {
  it("property: random CSVs give byte-identical profiles and identical checks at every chunk size, or both fail", async () => {
    await fc.assert(
      fc.asyncProperty(
        csvArb,
        rulesArb,
        fc.constantFrom(1, 2, 3, 5, 8, 64, 1 << 20),
        async (spec, rules, chunk) => {
          const path = tempFile("data.csv", toCsv(spec));
          const ref = await reference(path, spec.delimiter, rules, SMALL_SKETCH);
          if ("error" in ref) {
            // the header is bad: profileTable reports the reference error itself
            await expect(
              profileTable(path, { displayName: "data.csv", delimiter: spec.delimiter, rules }),
            ).rejects.toThrow(ref.error);
            return;
          }
          const fd = openSync(path, "r");
          try {
            const fast = scanCsvRange(fd, job(path, ref.columns, spec.delimiter, rules, chunk, SMALL_SKETCH));
            expect(fast.bailed).toBeNull();
            expect(fast.rows).toBe(ref.rows);
            expect(profileToJson(fast.profile)).toBe(profileToJson(ref.profile));
            expect(fast.checks).toEqual(ref.checks);
            expect(fast.end).toBe(statSync(path).size);
          } finally {
            closeSync(fd);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("property: damaged CSVs — the scanner gives up exactly when the reference reader fails, and profileTable shows its error", async () => {
    const damage = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      bytes: fc.constantFrom(
        [0x22],
        [0x2c],
        [0x0a],
        [0x0d],
        [0xff],
        [0xc3],
        [0xe2, 0x82],
        [0x22, 0x41],
        [0x0d, 0x22],
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        csvArb,
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, 3, 1 << 20),
        async (spec, hits, chunk) => {
          let bytes = new TextEncoder().encode(toCsv(spec));
          for (const hit of hits) {
            const at = Math.floor(hit.at * bytes.length);
            bytes = Uint8Array.from([...bytes.subarray(0, at), ...hit.bytes, ...bytes.subarray(at)]);
          }
          const path = tempFile("data.csv", bytes);
          const ref = await reference(path, spec.delimiter, { columns: {} }, SMALL_SKETCH);
          let fastError: string | null = null;
          let fastProfile: Profile | null = null;
          try {
            fastProfile = (
              await profileTable(path, {
                displayName: "data.csv",
                delimiter: spec.delimiter,
                sketch: SMALL_SKETCH,
              })
            ).profile;
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            fastError = err.message;
          }
          if ("error" in ref) expect(fastError).toBe(ref.error);
          else {
            expect(fastError).toBeNull();
            expect(profileToJson(fastProfile!)).toBe(profileToJson(ref.profile));
            const fd = openSync(path, "r");
            try {
              expect(
                scanCsvRange(fd, job(path, ref.columns, spec.delimiter, null, chunk, SMALL_SKETCH)).bailed,
              ).toBeNull();
            } finally {
              closeSync(fd);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("every fixture in test/fixtures/bad gives the reference reader's error (or its result)", async () => {
    const csvs = readdirSync(BAD).filter((f) => f.endsWith(".csv"));
    expect(csvs.length).toBeGreaterThan(3);
    for (const file of csvs) {
      const path = join(BAD, file);
      const ref = await reference(path, ",", { columns: {} });
      let got: string | Profile;
      try {
        got = (await profileTable(path, { displayName: "data.csv" })).profile;
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        got = err.message;
      }
      if ("error" in ref) expect(got, file).toBe(ref.error);
      else expect(profileToJson(got as Profile), file).toBe(profileToJson(ref.profile));
    }
  });

  it("a field over 32 MiB goes to the reference reader, which decides (here: its error)", async () => {
    const big = "x".repeat(33 * 1024 * 1024);
    const path = tempFile("data.csv", `a,b\n1,"${big}"\n2,y\n`);
    const ref = await reference(path, ",", { columns: {} });
    expect("error" in ref && ref.error).toMatch(/longer than 32 Mi characters/);
    await expect(profileTable(path, { displayName: "data.csv", threads: 1 })).rejects.toThrow(
      (ref as { error: string }).error,
    );
    // just under the limit in characters but over it in bytes: the reference reads it
    const wide = "é".repeat(17 * 1024 * 1024);
    const path2 = tempFile("data.csv", `a,b\n1,"${wide}"\n2,y\n`);
    const result = await profileTable(path2, { displayName: "data.csv", threads: 1 });
    expect(result.reader).toBe("reference");
    expect(result.rows).toBe(2);
  }, 120_000);

  it("JSON Lines and gzip use the reference reader, with the same profile shape", async () => {
    const path = tempFile("data.jsonl", '{"a": 1, "b": "x"}\n{"a": 2.5, "b": null}\n');
    const result = await profileTable(path, { displayName: "data.jsonl" });
    expect(result.reader).toBe("reference");
    expect(result.profile.columns[0]!.numbers!.values).toEqual([1, 2.5]);
  });
});

describe("byte ranges (threads and --shard)", () => {
  async function inRanges(
    path: string,
    columns: string[],
    delimiter: string,
    rules: TableRules,
    count: number,
    chunk: number,
  ) {
    const fd = openSync(path, "r");
    try {
      const base = job(path, columns, delimiter, rules, chunk, SMALL_SKETCH);
      return await scanInRanges(fd, base, base.stop, count, async (j) => scanCsvRange(fd, { ...j, chunk }));
    } finally {
      closeSync(fd);
    }
  }

  it("property: ranges tile the file (or are refused); merged checks equal one pass exactly, merged profiles to the sketch bounds", async () => {
    const mergeableRules = rulesArb.filter(
      (r) => !r.unique_together && Object.values(r.columns).every((c) => !c.unique),
    );
    await fc.assert(
      fc.asyncProperty(
        csvArb,
        mergeableRules,
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom(1, 4, 1 << 20),
        async (spec, rules, count, chunk) => {
          const text = toCsv(spec);
          const path = tempFile("data.csv", text);
          const ref = await reference(path, spec.delimiter, rules, SMALL_SKETCH);
          if ("error" in ref) return;
          const split = await inRanges(path, ref.columns, spec.delimiter, rules, count, chunk);
          const quotedLineBreaks = spec.rows.some((r) => r.some((v) => v !== null && /[\r\n]/.test(v)));
          if (!split.ok) {
            expect(quotedLineBreaks).toBe(true);
            return;
          }
          expect(split.result.rows).toBe(ref.rows);
          expect(split.result.checks).toEqual(ref.checks);
          const merged = split.result.profile;
          expect(merged.source.shard).toBeNull();
          merged.columns.forEach((m, c) => {
            const a = ref.profile.columns[c]!;
            expect([m.count, m.nulls, m.kind, m.numbers?.count, m.numbers?.min, m.numbers?.max]).toEqual([
              a.count,
              a.nulls,
              a.kind,
              a.numbers?.count,
              a.numbers?.min,
              a.numbers?.max,
            ]);
            expect(m.numbers?.values).toEqual(a.numbers?.values);
            expect(m.numbers?.counts).toEqual(a.numbers?.counts);
            expect(m.distinct.estimate).toBe(a.distinct.estimate);
            if (a.text?.error === 0) expect(m.text).toEqual(a.text);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("without quoted line breaks the ranges always tile the file", async () => {
    const lines = ["id,name,note"];
    for (let i = 0; i < 3000; i++) lines.push(`${i},"n ${i % 17}, ""x""",${i % 5 === 0 ? "" : i * 0.5}`);
    const path = tempFile("data.csv", `${lines.join("\r\n")}\r\n`);
    const ref = await reference(path, ",", { columns: { id: { type: "integer", min: 10 } } }, SMALL_SKETCH);
    if ("error" in ref) throw new Error(ref.error);
    for (const count of [2, 3, 7, 16]) {
      const split = await inRanges(
        path,
        ref.columns,
        ",",
        { columns: { id: { type: "integer", min: 10 } } },
        count,
        512,
      );
      expect(split.ok).toBe(true);
      if (split.ok) {
        expect(split.result.rows).toBe(3000);
        expect(split.result.checks).toEqual(ref.checks);
      }
    }
  });

  it("a quoted line break right at a cut is detected and refused, and profileTable falls back to one pass", async () => {
    // one long quoted field full of line breaks: every cut inside it lands after a quoted LF
    const note = Array.from({ length: 400 }, (_, i) => `line ${i}`).join("\n");
    const path = tempFile("data.csv", `id,note\n1,"${note}"\n2,x\n3,y\n`);
    const ref = await reference(path, ",", { columns: {} }, SMALL_SKETCH);
    if ("error" in ref) throw new Error(ref.error);
    const split = await inRanges(path, ref.columns, ",", { columns: {} }, 4, 1 << 20);
    expect(split.ok).toBe(false);
  });
});

describe("worker threads (the bundled worker)", () => {
  it("a bundle with dist/'s layout profiles in threads and matches one thread", async () => {
    const out = mkdtempSync(join(tmpdir(), "mlgate-worker-"));
    try {
      const { build } = await import("esbuild");
      const common = {
        bundle: true,
        platform: "node" as const,
        format: "esm" as const,
        target: "node20",
        banner: {
          js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
        },
        define: { __MLGATE_VERSION__: '"test"' },
        logLevel: "error" as const,
      };
      const entry = `
        import { profileTable } from ${JSON.stringify(join(ROOT, "src/io/table-profiler.ts"))};
        import { profileToJson } from ${JSON.stringify(join(ROOT, "src/core/profile.ts"))};
        const [path, threads] = process.argv.slice(2);
        const rules = { columns: { id: { type: "integer", min: 100 }, v: { type: "number", max: 0.5 }, k: { type: "category", values: ["k1", "k2"] } } };
        const r = await profileTable(path, { displayName: "data.csv", threads: Number(threads), rules });
        console.log(JSON.stringify({ threads: r.threads, note: r.note, rows: r.rows, checks: r.checks, profile: JSON.parse(profileToJson(r.profile)) }));
      `;
      await build({
        ...common,
        stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
        outfile: join(out, "cli.js"),
      });
      await build({
        ...common,
        entryPoints: [join(ROOT, "src/io/profile-worker.ts")],
        outfile: join(out, "profile-worker.js"),
      });
      const lines = ["id,v,k,text"];
      for (let i = 0; i < 20_000; i++)
        lines.push(`${i},${((i * 7919) % 1000) / 1000},k${i % 3},"t ${i}, ""q"""`);
      const path = tempFile("data.csv", `${lines.join("\n")}\n`);
      const run = (threads: number) =>
        JSON.parse(
          execFileSync(process.execPath, [join(out, "cli.js"), path, String(threads)], { encoding: "utf8" }),
        );
      const one = run(1);
      const three = run(3);
      expect(one.threads).toBe(1);
      expect(three.threads).toBe(3);
      expect(three.note).toBeNull();
      expect(three.rows).toBe(20_000);
      expect(three.checks).toEqual(one.checks);
      three.profile.columns.forEach((col: Profile["columns"][number], c: number) => {
        const a = one.profile.columns[c] as Profile["columns"][number];
        expect([col.count, col.nulls, col.numbers?.min, col.numbers?.max, col.distinct.estimate]).toEqual([
          a.count,
          a.nulls,
          a.numbers?.min,
          a.numbers?.max,
          a.distinct.estimate,
        ]);
        if (a.numbers)
          expect(Math.abs(col.numbers!.mean - a.numbers.mean)).toBeLessThan(
            1e-9 * Math.max(1, Math.abs(a.numbers.mean)),
          );
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
