/**
 * The bad-input corpus (test/fixtures/bad/ plus files generated here): every file either
 * parses or gives exactly one UserError that names the file, the place (line or row; the
 * whole file for empty/truncated files) and the fix. Never another exception type, and the
 * CLI prints it without a stack trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateFile } from "../../src/commands/validate-data.js";
import { UserError } from "../../src/errors.js";
import { openParquetFromBuffer } from "../../src/io/parquet-reader.js";
import { type Cell, openTable } from "../../src/io/table-reader.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BAD = join(ROOT, "test/fixtures/bad");
const FLIGHTS = join(ROOT, "node_modules/vega-datasets/data/flights-3m.parquet");
const CLI = join(ROOT, "dist/cli.js");
const MIB = 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "mlgate-bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files too big (or too binary) to commit, made from their recipe. */
function generate(): Record<string, string> {
  const oneMbField = join(dir, "one-mb-field.csv");
  const big = 'x, "y"\n'.repeat(MIB / 8); // 1 MiB with delimiters, quotes and line breaks inside
  writeFileSync(
    oneMbField,
    `id,blob,after\n1,"${big.replaceAll('"', '""')}",tail\n2,${"z".repeat(MIB)},end\n`,
  );
  // A Parquet file cut short: its first 4 KiB, no footer.
  const truncated = join(dir, "truncated.parquet");
  writeFileSync(truncated, readFileSync(FLIGHTS).subarray(0, 4096));
  return { "one-mb-field.csv": oneMbField, "truncated.parquet": truncated };
}

interface Fixture {
  file: string;
  /** "ok": parses; "error": one UserError at a line/row; "whole-file": one UserError about the whole file. */
  outcome: "ok" | "error" | "whole-file";
  /** What the error says (or, for "ok", the rows it reads). */
  says?: RegExp;
  rows?: number;
}

const CORPUS: Fixture[] = [
  { file: "ragged.csv", outcome: "error", says: /:7: expected 5 fields \(as in the header\), got 6\./ },
  { file: "unterminated-quote.csv", outcome: "error", says: /:5:3: this quoted field is never closed/ },
  { file: "invalid-utf8.csv", outcome: "error", says: /:3:4: invalid UTF-8 \(byte 0xFC/ },
  {
    file: "latin1.csv",
    outcome: "error",
    says: /:4:4: invalid UTF-8 \(byte 0xFC at byte 52\)\. .*iconv -f latin1/,
  },
  { file: "bad-json.jsonl", outcome: "error", says: /:3:25: invalid JSON/ },
  { file: "empty.csv", outcome: "whole-file", says: /: the file is empty\. A CSV file needs a header line/ },
  {
    file: "truncated.parquet",
    outcome: "whole-file",
    says: /: not a valid Parquet file \(truncated\? footer missing\)\. It is 4096 bytes/,
  },
  { file: "header-only.csv", outcome: "ok", rows: 0 },
  { file: "crlf-bom.csv", outcome: "ok", rows: 3 },
  { file: "mixed-types.csv", outcome: "ok", rows: 6 },
  { file: "one-mb-field.csv", outcome: "ok", rows: 2 },
];

/** The fix: an instruction, or what the file must contain. */
const FIX =
  /\b(Check|Close|Rename|re-save|Copy|re-write|Use|Give|Put|Write|Add|quote|gunzip|Point|Make|must|needs)\b/;

let generated: Record<string, string> = {};
beforeAll(() => {
  generated = generate();
});

function pathOf(file: string): string {
  return generated[file] ?? join(BAD, file);
}

async function readAll(path: string, displayName: string): Promise<Cell[][]> {
  const table = await openTable(path, { displayName });
  const rows: Cell[][] = [];
  for await (const row of table.rows) rows.push(row.values);
  return rows;
}

describe("bad-input corpus: a valid parse or exactly one clear UserError", () => {
  for (const fixture of CORPUS) {
    it(`${fixture.file} → ${fixture.outcome === "ok" ? "parses" : "one UserError"}`, async () => {
      let rows: Cell[][] | undefined;
      let error: unknown;
      try {
        rows = await readAll(pathOf(fixture.file), fixture.file);
      } catch (err) {
        error = err;
      }
      if (fixture.outcome === "ok") {
        expect(error).toBeUndefined();
        expect(rows).toHaveLength(fixture.rows!);
        return;
      }
      expect(error).toBeInstanceOf(UserError);
      const userError = error as UserError;
      expect(userError.problems).toHaveLength(1);
      const message = userError.message;
      expect(message.startsWith(`${fixture.file}:`)).toBe(true); // names the file…
      if (fixture.outcome === "error") expect(message).toMatch(/^[^:]+:\d+(:\d+)?: /); // …and the line
      expect(message).toMatch(fixture.says!);
      expect(message).toMatch(FIX);
    });
  }

  it("crlf-bom.csv: BOM dropped, CRLF and a quoted CRLF inside a field read as RFC 4180 says", async () => {
    const table = await openTable(pathOf("crlf-bom.csv"));
    expect(table.columns).toEqual(["id", "name", "comment"]);
    const rows: Cell[][] = [];
    for await (const row of table.rows) rows.push(row.values);
    expect(rows).toEqual([
      ["1", "Ann", "two\r\nlines"],
      ["2", "Bo", 'say "hi"'],
      ["3", "Cy", null],
    ]);
  });

  it("one-mb-field.csv: a 1 MiB quoted field (with commas, quotes, line breaks) and a 1 MiB bare one", async () => {
    const rows = await readAll(pathOf("one-mb-field.csv"), "one-mb-field.csv");
    expect(rows[0]![1]).toBe('x, "y"\n'.repeat(MIB / 8));
    expect(rows[0]![2]).toBe("tail");
    expect((rows[1]![1] as string).length).toBe(MIB);
    expect(rows[1]![2]).toBe("end");
  });

  it("mixed-types.csv against a number schema: a type check failure with rows, not a crash", async () => {
    const schema = join(dir, "amount-number.yml");
    writeFileSync(schema, "columns:\n  amount: { type: number }\n");
    const result = await validateFile(pathOf("mixed-types.csv"), schema);
    expect(result.ok).toBe(false);
    const type = result.datasets[0]!.checks.find((c) => c.check === "type" && c.column === "amount")!;
    expect(type).toMatchObject({ ok: false, element_count: 6, unexpected_count: 2 });
    expect(type.samples).toEqual([
      { row: 3, line: 4, value: "twelve" },
      { row: 5, line: 6, value: "N/A" },
    ]);
  });
});

describe("Parquet fuzz: damaged copies of a real file never throw anything but a UserError", () => {
  let small: Uint8Array | null = null;
  beforeAll(async () => {
    try {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      const path = join(dir, "small.parquet");
      await connection.run(
        `COPY (SELECT i AS n, 'v' || (i % 7) AS s, i * 0.5 AS f, [i, i + 1] AS l FROM range(300) r(i))
         TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 100)`,
      );
      connection.closeSync();
      instance.closeSync();
      small = readFileSync(path);
    } catch {
      small = null;
    }
  });

  it("truncations and byte flips", async () => {
    expect(small, "a small Parquet file written by @duckdb/node-api (a devDependency)").not.toBeNull();
    const file = small!;
    const damage = fc.record({
      cut: fc.nat({ max: file.length }),
      flips: fc.array(fc.record({ at: fc.nat({ max: file.length - 1 }), value: fc.nat({ max: 255 }) }), {
        maxLength: 6,
      }),
      truncate: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(damage, async ({ cut, flips, truncate }) => {
        const bytes = Uint8Array.from(truncate ? file.subarray(0, cut) : file);
        for (const { at, value } of flips) if (at < bytes.length) bytes[at] = value;
        try {
          const table = await openParquetFromBuffer(bytes, { displayName: "s.parquet" });
          for await (const _ of table.rows);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          expect(err.message).toMatch(/^s\.parquet: /);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("the CLI door prints the error without a stack trace", () => {
  const schemas: Record<string, string> = {};
  beforeAll(() => {
    schemas.any = join(dir, "any.yml");
    writeFileSync(schemas.any, "columns: {}\n");
    schemas.amount = join(dir, "amount.yml");
    writeFileSync(schemas.amount, "columns:\n  amount: { type: number }\n");
  });

  function cli(file: string, schema: string) {
    const r = spawnSync(process.execPath, [CLI, "validate-data", file, "--schema", schema], {
      cwd: dir,
      encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  for (const fixture of CORPUS) {
    const expected = fixture.outcome === "ok" ? (fixture.file === "mixed-types.csv" ? 1 : 0) : 2;
    it(`validate-data ${fixture.file} exits ${expected}`, () => {
      const schema = fixture.file === "mixed-types.csv" ? schemas.amount! : schemas.any!;
      const r = cli(pathOf(fixture.file), schema);
      expect(r.stderr).not.toMatch(/^ {4}at /m);
      expect(r.stderr).not.toContain("internal error");
      expect(r.code).toBe(expected);
      if (expected === 2) {
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toMatch(fixture.says!);
      }
      if (expected === 1) expect(r.stdout).toContain("amount");
    });
  }
});
