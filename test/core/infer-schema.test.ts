import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/commands/context.js";
import { inferSchema } from "../../src/commands/infer-schema.js";
import { validateFile } from "../../src/commands/validate-data.js";
import { DatasetSchema } from "../../src/config.js";
import {
  createSchemaInferrer,
  type InferredSchema,
  MAX_CATEGORY_VALUES,
  nullShareLimit,
} from "../../src/core/infer-schema.js";
import { type CheckResult, type ColumnRules, createSchemaChecker } from "../../src/core/schema-check.js";
import { openTable } from "../../src/io/table-reader.js";
import { parseYamlText } from "../../src/io/yaml-file.js";

type Cell = string | number | boolean | null;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PENGUINS = ["examples/penguins/data/train.csv", "examples/penguins/data/test.csv"];
const dir = mkdtempSync(join(tmpdir(), "mlgate-infer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx: CommandContext = {
  root: ROOT,
  configPath: ".mlgate.yml",
  log: { info() {}, step: () => () => {} },
  runUrl: null,
};

/** Infer from rows, then check the same rows: the failing checks (none expected). */
function inferAndCheck(columns: string[], rows: Cell[][]): { schema: InferredSchema; failed: CheckResult[] } {
  const inferrer = createSchemaInferrer(columns);
  for (const values of rows) inferrer.add({ values });
  const { schema } = inferrer.finish();
  const checker = createSchemaChecker(schema, columns);
  rows.forEach((values, i) => {
    checker.add({ line: i + 2, values });
  });
  return { schema, failed: checker.finish().filter((r) => !r.ok) };
}

function columnOf(values: Cell[]): ColumnRules {
  const { schema, failed } = inferAndCheck(
    ["c"],
    values.map((v) => [v]),
  );
  expect(failed).toEqual([]);
  return schema.columns.c!;
}

async function checkFile(path: string, schema: InferredSchema): Promise<CheckResult[]> {
  const table = await openTable(path);
  const checker = createSchemaChecker(schema, table.columns);
  for await (const row of table.rows) checker.add(row);
  return checker.finish();
}

describe("type inference follows schema-check's reading of values", () => {
  it('"1","2" → integer; "1.5" → number; "1","a" → string', () => {
    expect(columnOf(["1", "2"]).type).toBe("integer");
    expect(columnOf(["1", "1.5"]).type).toBe("number");
    expect(columnOf(["1", "a"]).type).toBe("string");
    expect(columnOf(["-3", "+4", "007"]).type).toBe("integer");
    expect(columnOf(["3.", ".5", "1e-3", "2E3"]).type).toBe("number");
    expect(columnOf(["1", "1e3"]).type).toBe("number"); // 1e3 is not an integer
    expect(columnOf(["1", "NaN"]).type).toBe("string");
    expect(columnOf(["1", " 2"]).type).toBe("string");
  });

  it('"true"/"FALSE" → boolean; 0/1 alone stays integer; booleans with 0/1 → boolean', () => {
    expect(columnOf(["true", "FALSE"]).type).toBe("boolean");
    expect(columnOf(["1", "0", "1"]).type).toBe("integer");
    expect(columnOf(["True", "0", "1"]).type).toBe("boolean");
    expect(columnOf([true, false, 1]).type).toBe("boolean"); // JSON values
    expect(columnOf(["yes", "no"]).type).toBe("string");
  });

  it('"2024-02-29" → date; "2023-02-29" → string; dates with times → datetime', () => {
    expect(columnOf(["2024-02-29", "2000-02-29"]).type).toBe("date");
    expect(columnOf(["2024-02-29", "2023-02-29"]).type).toBe("string");
    expect(columnOf(["2024-02-29", "2024-03-01T10:00:00Z"]).type).toBe("datetime");
    expect(columnOf(["2024-03-01 10:00", "2024-03-01T10:00:00.123+05:30"]).type).toBe("datetime");
    expect(columnOf(["2024-03-01T24:00:00"]).type).toBe("string");
  });

  it("JSON numbers: 3 and 3.0 arrive as 3 (integer), 2.5 makes a number column", () => {
    expect(columnOf([3, 4]).type).toBe("integer");
    expect(columnOf([3, 2.5]).type).toBe("number");
    expect(columnOf([3, "a"]).type).toBe("string");
  });

  it("min/max are the observed values, for integer and number columns only", () => {
    expect(columnOf(["5", "-2", "10"])).toMatchObject({ min: -2, max: 10 });
    expect(columnOf(["0.5", "1e2"])).toMatchObject({ min: 0.5, max: 100 });
    expect(columnOf(["2024-01-01"]).min).toBeUndefined();
  });
});

describe("nulls, categories, uniqueness, rows", () => {
  it("no nulls → nullable: false; some → max_null_share above the observed share; all → neither", () => {
    expect(columnOf(["a", "b"]).nullable).toBe(false);
    const some = columnOf(["1", null, "2", "3"]);
    expect(some.nullable).toBeUndefined();
    expect(some.max_null_share).toBe(0.26); // 0.25 + 0.01, rounded up to 0.01
    const all = columnOf([null, null]);
    expect(all).toEqual({ type: "string" });
  });

  it("nullShareLimit is at least the share, at most 1, on a 0.01 grid", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (a, b) => {
        const share = Math.min(a, b) / Math.max(a, b);
        const limit = nullShareLimit(share);
        return limit >= share && limit <= 1 && Math.abs(limit * 100 - Math.round(limit * 100)) < 1e-9;
      }),
    );
  });

  it(`category: ≤ ${MAX_CATEGORY_VALUES} distinct values and distinct ≤ 10% of values`, () => {
    const plans = Array.from({ length: 60 }, (_, i) => ["basic", "plus", "pro"][i % 3]!);
    expect(columnOf(plans)).toEqual({ type: "category", nullable: false, values: ["basic", "plus", "pro"] });
    expect(columnOf(["a", "b", "a"]).type).toBe("string"); // too few rows to call it a category
    const many = Array.from({ length: 1000 }, (_, i) => `v${i % (MAX_CATEGORY_VALUES + 1)}`);
    expect(columnOf(many).type).toBe("string");
    const twenty = Array.from({ length: 1000 }, (_, i) => `v${i % MAX_CATEGORY_VALUES}`);
    expect(columnOf(twenty).values).toHaveLength(MAX_CATEGORY_VALUES);
  });

  it("unique for id-like integer and string columns without nulls", () => {
    expect(columnOf(["1", "2", "3"]).unique).toBe(true);
    expect(columnOf(["a1", "b2"]).unique).toBe(true);
    expect(columnOf(["1", "2", "2"]).unique).toBeUndefined();
    expect(columnOf(["1", "2", null]).unique).toBeUndefined();
    expect(columnOf(["1.5", "2.5"]).unique).toBeUndefined(); // measurements, not ids
    expect(columnOf(["1"]).unique).toBeUndefined();
  });

  it("rows.min is the observed count less 10%; an empty table has none", () => {
    const inferrer = createSchemaInferrer(["a"]);
    for (let i = 0; i < 25; i++) inferrer.add({ values: [String(i)] });
    expect(inferrer.finish()).toMatchObject({ rows: 25, schema: { rows: { min: 22 } } });
    const empty = createSchemaInferrer(["a"]).finish();
    expect(empty).toEqual({ rows: 0, schema: { columns: { a: { type: "string" } } } });
  });
});

describe("the same data passes the inferred schema", () => {
  for (const file of PENGUINS) {
    it(file, async () => {
      const result = await inferSchema(ctx, { file });
      const checks = await checkFile(join(ROOT, file), result.schema);
      expect(checks.length).toBeGreaterThan(8);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      expect(result.schema.columns.id).toMatchObject({ type: "integer", unique: true, nullable: false });
      expect(result.schema.columns.species).toMatchObject({
        type: "category",
        values: ["Adelie", "Chinstrap", "Gentoo"],
      });
      expect(result.schema.columns.beak_length_mm?.type).toBe("number");
      expect(result.schema.columns.body_mass_g?.type).toBe("integer");
    });
  }

  it("a generated mixed file (CSV and the same data as JSON Lines)", async () => {
    const header = ["id", "score", "flag", "bit", "day", "at", "plan", "note", "mixed", "sparse", "empty"];
    const rows: string[][] = [];
    for (let i = 0; i < 500; i++) {
      rows.push([
        `u${String(i).padStart(4, "0")}`,
        i % 9 === 0 ? "" : (i * 0.37 - 40).toFixed(3),
        ["true", "False", "TRUE", "1", "0"][i % 5]!,
        String(i % 2),
        `2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`,
        i % 3 === 0
          ? "2024-02-29"
          : `2024-02-29T${String(i % 24).padStart(2, "0")}:30:00${i % 2 ? "Z" : "+05:30"}`,
        ["basic", "plus", "pro"][i % 3]!,
        `"free text, ""quoted"" #${i}"`,
        i % 50 === 0 ? "n/a" : String(i),
        i % 100 === 0 ? "1" : "",
        "",
      ]);
    }
    const csv = join(dir, "mixed.csv");
    writeFileSync(csv, [header, ...rows].map((r) => r.join(",")).join("\r\n") + "\r\n");
    const result = await inferSchema(ctx, { file: csv });
    const types = Object.fromEntries(Object.entries(result.schema.columns).map(([k, v]) => [k, v.type]));
    expect(types).toEqual({
      id: "string",
      score: "number",
      flag: "boolean",
      bit: "integer",
      day: "date",
      at: "datetime",
      plan: "category",
      note: "string",
      mixed: "string",
      sparse: "integer",
      empty: "string",
    });
    expect(result.schema.columns.id?.unique).toBe(true);
    expect(result.schema.columns.score?.max_null_share).toBe(0.13); // 56/500 = 0.112
    expect(result.rows).toBe(500);
    const checks = await checkFile(csv, result.schema);
    expect(checks.filter((c) => !c.ok)).toEqual([]);

    const jsonl = join(dir, "mixed.jsonl");
    const objects = rows.map((r) => {
      const o: Record<string, Cell> = {};
      header.forEach((h, c) => {
        const v = r[c]!;
        o[h] = v === "" ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v.replace(/^"|"$/g, "");
      });
      return JSON.stringify(o);
    });
    writeFileSync(jsonl, objects.join("\n"));
    const fromJsonl = await inferSchema(ctx, { file: jsonl });
    expect((await checkFile(jsonl, fromJsonl.schema)).filter((c) => !c.ok)).toEqual([]);
  });

  it("property: any mix of tricky values passes its own inferred schema", () => {
    const token = fc.oneof(
      fc.constantFrom<Cell>(
        "1",
        "0",
        "-3",
        "+4",
        "007",
        "1.5",
        ".5",
        "3.",
        "1e3",
        "1E-2",
        "true",
        "FALSE",
        "True",
        "yes",
        "2024-02-29",
        "2023-02-29",
        "2024-01-01T10:00",
        "2024-01-01 10:00:00Z",
        "2024-01-01T10:00:00+05:30",
        "NaN",
        "inf",
        "abc",
        "",
        " 1",
        null,
        3,
        2.5,
        0,
        1,
        true,
        false,
        -0,
        1e300,
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(token, { minLength: 3, maxLength: 3 }), { maxLength: 40 }), (rows) => {
        const { failed } = inferAndCheck(["a", "b", "c"], rows);
        expect(failed).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("mlgate infer-schema (command)", () => {
  it("writes a standalone schema file that parses as a dataset schema and that validate-data passes", async () => {
    const out = join(dir, "schemas", "train.schema.yml");
    const result = await inferSchema(ctx, { file: PENGUINS[0]!, out });
    expect(result.command).toBe("infer-schema");
    expect(result.written).toBe(out);
    const text = readFileSync(out, "utf8");
    expect(text).toBe(result.yaml);
    expect(text).toMatch(
      /^# Schema inferred by `mlgate infer-schema` from examples\/penguins\/data\/train\.csv \(\d+ rows\)\.\n# Review it/,
    );
    expect(text).toContain("  id: { type: integer, nullable: false, min: 1, max: ");
    expect(parseYamlText(text, out, DatasetSchema)).toEqual(result.schema);
    const validated = await validateFile(join(ROOT, PENGUINS[0]!), out);
    expect(validated.ok).toBe(true);
    expect(validated.failed_checks).toBe(0);
  });

  it("keeps YAML-looking values and odd column names intact", async () => {
    const csv = join(dir, "odd.csv");
    const lines = ["key: x,#c,n"];
    for (let i = 0; i < 40; i++)
      lines.push(`${["true", "null", "1.0", "- a"][i % 4]},${i},${i % 2 ? "yes" : "no"}`);
    writeFileSync(csv, lines.join("\n"));
    const result = await inferSchema(ctx, { file: csv });
    expect(result.schema.columns["key: x"]).toEqual({
      type: "category",
      nullable: false,
      values: ["- a", "1.0", "null", "true"],
    });
    expect(parseYamlText(result.yaml, "odd.yml", DatasetSchema)).toEqual(result.schema);
  });

  it("a file name with a line break stays inside the header comment", async () => {
    const { schemaYaml } = await import("../../src/commands/infer-schema.js");
    const text = schemaYaml({ columns: { a: { type: "string" } } }, "x\ncolumns: {}", 1);
    expect(text.split("\n")[0]).toBe(
      '# Schema inferred by `mlgate infer-schema` from "x\\ncolumns: {}" (1 row).',
    );
    expect(parseYamlText(text, "x.yml", DatasetSchema).columns).toEqual({ a: { type: "string" } });
  });
});
