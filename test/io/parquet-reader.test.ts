import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { formatEpoch, openParquet, openParquetFromBuffer } from "../../src/io/parquet-reader.js";
import {
  type Cell,
  detectFormat,
  type OpenTable,
  openTable,
  openTableFromBuffer,
  openTableFromChunks,
  readColumns,
} from "../../src/io/table-reader.js";

const FLIGHTS = fileURLToPath(
  new URL("../../node_modules/vega-datasets/data/flights-3m.parquet", import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), "mlgate-parquet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(table: OpenTable): Promise<{ rows: Cell[][]; lines: number[] }> {
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for await (const row of table.rows) {
    rows.push(row.values);
    lines.push(row.line);
  }
  return { rows, lines };
}

async function userErrorOf(read: () => Promise<unknown>): Promise<string> {
  try {
    await read();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).message;
  }
  throw new Error("expected a UserError, but the read succeeded");
}

describe("flights-3m.parquet (vega-datasets, 3M rows, ZSTD, 11 row groups)", () => {
  it("reads every row in order, row numbers as lines, with bounded memory", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const table = await openTable(FLIGHTS);
    expect(table.columns).toEqual(["date", "delay", "distance", "origin", "destination"]);
    const first: Cell[][] = [];
    let rows = 0;
    let expectedLine = 1;
    let linesInOrder = true;
    let peak = 0;
    let atGroupStart: Cell[] | undefined;
    for await (const row of table.rows) {
      if (row.line !== expectedLine++) linesInOrder = false;
      if (rows < 3) first.push(row.values);
      if (row.line === 272_728) atGroupStart = row.values; // first row of the second row group
      rows++;
      if (rows % 250_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(rows).toBe(3_000_000);
    expect(linesInOrder).toBe(true);
    // Same values as DuckDB's `SELECT * FROM 'flights-3m.parquet' LIMIT 3` (timestamp without zone).
    expect(first).toEqual([
      ["2001-01-01T00:01:00", 33, 2176, "LAS", "PHL"],
      ["2001-01-01T00:01:00", 19, 215, "ATL", "SAV"],
      ["2001-01-01T00:01:00", 14, 405, "MCI", "MDW"],
    ]);
    expect(atGroupStart).toEqual(["2001-01-17T15:35:00", 14, 325, "OAK", "BUR"]);
    // One decoded row group (272,727 rows) stays well under this; the whole file as rows is > 1 GB.
    expect(peak).toBeLessThan(120 * 1024 * 1024);
  });

  it("reads from bytes in memory (a file read from git) through openTableFromBuffer", async () => {
    const bytes = readFileSync(FLIGHTS);
    const table = await openTableFromBuffer(bytes, { displayName: "data/flights.parquet" });
    expect(table.columns).toHaveLength(5);
    for await (const row of table.rows) {
      expect(row).toEqual({ line: 1, values: ["2001-01-01T00:01:00", 33, 2176, "LAS", "PHL"] });
      break; // breaking out is allowed: it releases the decoded row group
    }
  });
});

describe("Parquet value mapping (files written by DuckDB at test time)", () => {
  let duckdb: typeof import("@duckdb/node-api") | null = null;
  beforeAll(async () => {
    try {
      duckdb = await import("@duckdb/node-api");
    } catch {
      duckdb = null;
    }
  });

  async function writeParquet(file: string, select: string, options: string): Promise<string> {
    const instance = await duckdb!.DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const path = join(dir, file);
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet, ${options})`);
    connection.closeSync();
    instance.closeSync();
    return path;
  }

  const TYPES = `SELECT * FROM (VALUES
    (1, 'a', true, 1.5::DOUBLE, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456',
     TIMESTAMPTZ '2024-01-02 03:04:05+00', 9007199254740993::BIGINT, 12.34::DECIMAL(10,2), [1, 2],
     {'k': 1, 'v': 'x'}, 'nan'::DOUBLE),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'inf'::DOUBLE),
    (3, 'c', false, -2.0, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.5',
     TIMESTAMPTZ '1970-01-01 00:00:00+00', -5::BIGINT, -0.5::DECIMAL(10,2), [], {'k': NULL, 'v': NULL}, 1e300)
  ) t(id, s, b, f, d, ts, tstz, big, dec, lst, st, fl)`;

  const EXPECTED: Cell[][] = [
    [
      1,
      "a",
      true,
      1.5,
      "2024-02-29",
      "2024-01-02T03:04:05.123456",
      "2024-01-02T03:04:05Z",
      "9007199254740993",
      12.34,
      "[1,2]",
      '{"k":1,"v":"x"}',
      "NaN",
    ],
    [2, null, null, null, null, null, null, null, null, null, null, "Infinity"],
    [
      3,
      "c",
      false,
      -2,
      "1969-12-31",
      "1969-12-31T23:59:59.5",
      "1970-01-01T00:00:00Z",
      -5,
      -0.5,
      "[]",
      '{"k":null,"v":null}',
      1e300,
    ],
  ];

  for (const codec of ["snappy", "gzip", "zstd", "brotli", "lz4", "uncompressed"]) {
    it(`${codec}: numbers, text, booleans, dates, timestamps, 64-bit ints, decimals, nested, NaN`, async () => {
      expect(duckdb, "@duckdb/node-api is a devDependency").not.toBeNull();
      const path = await writeParquet(
        `types-${codec}.parquet`,
        TYPES,
        `COMPRESSION ${codec}, ROW_GROUP_SIZE 2`,
      );
      const table = await openTable(path);
      expect(table.columns).toEqual([
        "id",
        "s",
        "b",
        "f",
        "d",
        "ts",
        "tstz",
        "big",
        "dec",
        "lst",
        "st",
        "fl",
      ]);
      const { rows, lines } = await collect(table);
      expect(rows).toEqual(EXPECTED);
      expect(lines).toEqual([1, 2, 3]); // across row groups of 2 rows
    });
  }

  it("many row groups: every row once, in order, through file, buffer, chunks and readColumns", async () => {
    expect(duckdb, "@duckdb/node-api is a devDependency").not.toBeNull();
    const path = await writeParquet(
      "range.parquet",
      "SELECT i AS n, 'v' || (i % 7) AS s FROM range(10000) r(i)",
      "ROW_GROUP_SIZE 1000",
    );
    const fromFile = await collect(await openParquet(path, { displayName: "r.parquet" }));
    expect(fromFile.rows).toHaveLength(10_000);
    expect(fromFile.rows.every((r, i) => r[0] === i && r[1] === `v${i % 7}`)).toBe(true);
    expect(fromFile.lines.every((line, i) => line === i + 1)).toBe(true);

    const bytes = readFileSync(path);
    const fromBuffer = await collect(await openParquetFromBuffer(bytes, { displayName: "r.parquet" }));
    expect(fromBuffer).toEqual(fromFile);

    async function* pieces() {
      for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
    }
    const fromChunks = await collect(await openTableFromChunks(pieces(), { displayName: "r.pq" }));
    expect(fromChunks).toEqual(fromFile);

    const { columns, data, rowCount } = await readColumns(path);
    expect(columns).toEqual(["n", "s"]);
    expect(rowCount).toBe(10_000);
    expect(data.n?.[9999]).toBe(9999);
  });

  it("an empty table has its columns and no rows", async () => {
    expect(duckdb, "@duckdb/node-api is a devDependency").not.toBeNull();
    const path = await writeParquet(
      "empty.parquet",
      "SELECT 1 AS a, 'x' AS b WHERE false",
      "COMPRESSION zstd",
    );
    const table = await openTable(path);
    expect(table.columns).toEqual(["a", "b"]);
    expect((await collect(table)).rows).toEqual([]);
  });
});

describe("invalid Parquet gives one clear UserError", () => {
  it("truncated (first 4 KiB of a real file): names the file, says why and the fix", async () => {
    const path = join(dir, "truncated.parquet");
    writeFileSync(path, readFileSync(FLIGHTS).subarray(0, 4096));
    const message = await userErrorOf(() => openTable(path, { displayName: "truncated.parquet" }));
    expect(message).toBe(
      "truncated.parquet: not a valid Parquet file (truncated? footer missing). It is 4096 bytes and does not " +
        'end with the Parquet footer "PAR1". Copy the file again completely, or re-write it with a current ' +
        "Parquet writer (e.g. pandas `df.to_parquet(path)`), or convert it to CSV.",
    );
  });

  it("empty file", async () => {
    const message = await userErrorOf(() =>
      openParquetFromBuffer(new Uint8Array(0), { displayName: "e.parquet" }),
    );
    expect(message).toMatch(
      /^e\.parquet: the file is empty, so it is not a valid Parquet file\. Copy the file/,
    );
  });

  it("a footer that does not decode", async () => {
    const bytes = Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(64, 0xff), Buffer.from("PAR1")]);
    const message = await userErrorOf(() => openParquetFromBuffer(bytes, { displayName: "f.parquet" }));
    expect(message).toMatch(
      /^f\.parquet: not a valid Parquet file \(corrupt footer: .+\)\. Copy the file again/,
    );
  });

  it("a damaged row group: names the rows, only when that row group is reached", async () => {
    const bytes = Buffer.from(readFileSync(FLIGHTS));
    bytes.fill(0, 100, 200_000); // inside the first row group's column chunks
    const table = await openParquetFromBuffer(bytes, { displayName: "damaged.parquet" });
    const message = await userErrorOf(() => collect(table));
    expect(message).toMatch(
      /^damaged\.parquet: rows 1–272727 \(row group 1 of 11\) cannot be read \(.+\)\. The file may be corrupt or truncated/,
    );
  });

  it("missing file, and gzip around Parquet", async () => {
    expect(
      await userErrorOf(() => openTable(join(dir, "nope.parquet"), { displayName: "nope.parquet" })),
    ).toMatch(/^nope\.parquet: file not found\./);
    expect(await userErrorOf(() => openTable(join(dir, "x.parquet.gz")))).toMatch(
      /a gzip-compressed Parquet file cannot be read\. .*gunzip it/,
    );
  });
});

describe("detectFormat and timestamps", () => {
  it("maps .parquet and .pq", () => {
    expect(detectFormat("a/b.parquet")).toBe("parquet");
    expect(detectFormat("B.PQ")).toBe("parquet");
  });

  it("formatEpoch keeps the stored precision and handles times before 1970", () => {
    expect(formatEpoch(0n, 1000n)).toBe("1970-01-01T00:00:00Z");
    expect(formatEpoch(-1n, 1_000_000n)).toBe("1969-12-31T23:59:59.999999Z");
    expect(formatEpoch(1_700_000_000_123_456_789n, 1_000_000_000n)).toBe("2023-11-14T22:13:20.123456789Z");
    expect(formatEpoch(1_500n, 1000n)).toBe("1970-01-01T00:00:01.5Z");
    expect(formatEpoch(10n ** 30n, 1000n)).toBe(String(10n ** 30n)); // beyond Date's range: the raw value
  });
});
