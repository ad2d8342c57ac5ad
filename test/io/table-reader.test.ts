import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import {
  type Cell,
  detectFormat,
  type OpenTable,
  openTable,
  openTableFromBuffer,
  openTableFromChunks,
  readColumns,
  type TableReadOptions,
} from "../../src/io/table-reader.js";

const BAD = fileURLToPath(new URL("../fixtures/bad/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mlgate-table-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function tempFile(name: string, content: string | Uint8Array): string {
  const sub = join(dir, String(fileCounter++));
  mkdirSync(sub);
  const path = join(sub, name);
  writeFileSync(path, content);
  return path;
}

async function collect(table: OpenTable): Promise<{ columns: string[]; rows: Cell[][]; lines: number[] }> {
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for await (const row of table.rows) {
    rows.push(row.values);
    lines.push(row.line);
  }
  return { columns: table.columns, rows, lines };
}

async function readFile(name: string, content: string | Uint8Array, opts?: TableReadOptions) {
  return collect(await openTable(tempFile(name, content), opts));
}

/** The UserError a read produces; fails the test on success or on any other error. */
async function userErrorOf(read: () => Promise<unknown>): Promise<string> {
  try {
    await read();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).message;
  }
  throw new Error("expected a UserError, but the read succeeded");
}

async function* inPieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > at && cut < bytes.length) {
      yield bytes.subarray(at, cut);
      at = cut;
    }
  }
  yield bytes.subarray(at);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** RFC 4180 writer for the round-trip property; `null` is an empty unquoted field. */
function toCsv(rows: (string | null)[][], quoteAll: boolean): string {
  const field = (v: string | null) => {
    if (v === null) return "";
    const needsQuotes = quoteAll || v === "" || /[",\r\n]/.test(v) || v.startsWith("\uFEFF");
    return needsQuotes ? `"${v.replaceAll('"', '""')}"` : v;
  };
  return rows.map((r) => r.map(field).join(",")).join("\r\n");
}

describe("CSV", () => {
  it("reads quoted fields with delimiters, line breaks and escaped quotes", async () => {
    const csv = 'id,text,n\n1,"a, b",2\n2,"line one\nline two",3\n3,"say ""hi""",4\n4,plain,5\n';
    const { columns, rows, lines } = await readFile("q.csv", csv);
    expect(columns).toEqual(["id", "text", "n"]);
    expect(rows).toEqual([
      ["1", "a, b", "2"],
      ["2", "line one\nline two", "3"],
      ["3", 'say "hi"', "4"],
      ["4", "plain", "5"],
    ]);
    // the record after the two-line field starts on line 5, not 4
    expect(lines).toEqual([2, 3, 5, 6]);
  });

  it("keeps line numbers right after several multi-line fields", async () => {
    const csv = 'a,b\n"x\n\ny","1\n2"\nlast,row\n';
    const { rows, lines } = await readFile("ml.csv", csv);
    expect(rows).toEqual([
      ["x\n\ny", "1\n2"],
      ["last", "row"],
    ]);
    expect(lines).toEqual([2, 6]);
  });

  it("strips a UTF-8 BOM and handles CRLF, keeping CRLF inside quotes as data", async () => {
    const csv = '\uFEFFid,name\r\n1,"two\r\nlines"\r\n2,b\r\n';
    const { columns, rows, lines } = await readFile("bom.csv", csv);
    expect(columns).toEqual(["id", "name"]);
    expect(rows).toEqual([
      ["1", "two\r\nlines"],
      ["2", "b"],
    ]);
    expect(lines).toEqual([2, 4]);
  });

  it("keeps a lone CR as data and reads a last line without a line break", async () => {
    const { rows } = await readFile("cr.csv", "a,b\nx\ry,z");
    expect(rows).toEqual([["x\ry", "z"]]);
  });

  it("reads empty unquoted fields as null and quoted empty fields as empty strings", async () => {
    const { rows } = await readFile("nulls.csv", 'a,b,c\n,"",x\n1,,\n');
    expect(rows).toEqual([
      [null, "", "x"],
      ["1", null, null],
    ]);
  });

  it("skips blank lines", async () => {
    const { rows, lines } = await readFile("blank.csv", "a,b\n\n1,2\r\n\r\n3,4\n\n");
    expect(rows).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(lines).toEqual([3, 5]);
  });

  it("reads TSV by extension (.tsv and .tab), with quoting", async () => {
    const tsv = 'id\tnote\n1\t"a\tb"\n2\tc,d\n';
    for (const name of ["t.tsv", "t.tab"]) {
      const { columns, rows } = await readFile(name, tsv);
      expect(columns).toEqual(["id", "note"]);
      expect(rows).toEqual([
        ["1", "a\tb"],
        ["2", "c,d"],
      ]);
    }
  });

  it("uses a custom delimiter", async () => {
    const { columns, rows } = await readFile("semi.csv", 'a;b\n1,5;"x;y"\n', { delimiter: ";" });
    expect(columns).toEqual(["a", "b"]);
    expect(rows).toEqual([["1,5", "x;y"]]);
  });

  it("rejects an unusable delimiter", async () => {
    const message = await userErrorOf(() => readFile("d.csv", "a\n", { delimiter: "ab" }));
    expect(message).toContain("d.csv");
    expect(message).toContain("single character");
  });

  it("accepts an explicit format over the extension", async () => {
    const { rows } = await readFile("data.txt", "a\tb\n1\t2\n", { format: "tsv" });
    expect(rows).toEqual([["1", "2"]]);
  });

  it("reads a header-only file as zero rows", async () => {
    const table = await openTable(join(BAD, "header-only.csv"));
    const { columns, rows } = await collect(table);
    expect(columns).toEqual(["id", "name", "score"]);
    expect(rows).toEqual([]);
  });

  it("reads a file larger than one chunk with correct line numbers", async () => {
    const lines = ["id,text"];
    for (let i = 1; i <= 40_000; i++)
      lines.push(i % 1000 === 0 ? `${i},"multi\nline é ${i}"` : `${i},row é ${i}`);
    const path = tempFile("big.csv", lines.join("\n"));
    let count = 0;
    let last = { line: 0, values: [] as Cell[] };
    for await (const row of (await openTable(path)).rows) {
      count++;
      last = row;
    }
    expect(count).toBe(40_000);
    // 40 of the rows span two lines; the last record starts at line 40_000 + 1 + 39
    expect(last.line).toBe(40_040);
    expect(last.values).toEqual(["40000", "multi\nline é 40000"]);
  });

  it("lets the caller stop early", async () => {
    const table = await openTable(tempFile("early.csv", "a\n1\n2\n3\n"));
    for await (const row of table.rows) {
      expect(row.values).toEqual(["1"]);
      break;
    }
    expect(() => table.rows[Symbol.asyncIterator]()).toThrow(/only be iterated once/);
  });
});

describe("JSON Lines", () => {
  it("takes columns from the first object, fills missing keys with null, stringifies nested values", async () => {
    const jsonl =
      '{"id": 1, "plan": "basic", "score": 0.5, "ok": true}\n' +
      "\n" +
      '{"id": 2, "ok": false}\r\n' +
      '{"id": 3, "plan": {"tier": 2}, "score": [1, 2], "ok": null}\n';
    const { columns, rows, lines } = await readFile("d.jsonl", jsonl);
    expect(columns).toEqual(["id", "plan", "score", "ok"]);
    expect(rows).toEqual([
      [1, "basic", 0.5, true],
      [2, null, null, false],
      [3, '{"tier":2}', "[1,2]", null],
    ]);
    expect(lines).toEqual([1, 3, 4]);
  });

  it("keeps the first object's key order, even for integer-like keys", async () => {
    const { columns, rows } = await readFile("o.jsonl", '{"b": 1, "2024": 2, "a\\"x": {"k": [3]}, "b": 4}\n');
    expect(columns).toEqual(["b", "2024", 'a"x']);
    expect(rows).toEqual([[4, 2, '{"k":[3]}']]);
  });

  it("reads .ndjson with a BOM and no final line break", async () => {
    const { columns, rows } = await readFile("d.ndjson", '\uFEFF{"a": "x"}\n{"a": "y"}');
    expect(columns).toEqual(["a"]);
    expect(rows).toEqual([["x"], ["y"]]);
  });

  it("rejects a key that the first object does not have, naming line and key", async () => {
    const message = await userErrorOf(() => readFile("k.jsonl", '{"a": 1}\n{"a": 2}\n{"a": 3, "b": 4}\n'));
    expect(message).toMatch(/k\.jsonl:3: key "b" is not in the first object/);
    expect(message).toContain("Add it to the first line");
  });

  it("rejects a line that is not an object", async () => {
    const message = await userErrorOf(() => readFile("arr.jsonl", '{"a": 1}\n[1, 2]\n'));
    expect(message).toMatch(/arr\.jsonl:2: expected a JSON object, got an array/);
  });

  it("rejects a first object without keys", async () => {
    const message = await userErrorOf(() => readFile("empty-obj.jsonl", "{}\n"));
    expect(message).toMatch(/empty-obj\.jsonl:1: the first object has no keys/);
  });
});

describe("gzip", () => {
  it("reads gzip-compressed CSV and JSONL", async () => {
    const csv = await readFile("d.csv.gz", gzipSync(utf8('a,b\n1,"x\ny"\n2,z\n')));
    expect(csv.columns).toEqual(["a", "b"]);
    expect(csv.rows).toEqual([
      ["1", "x\ny"],
      ["2", "z"],
    ]);
    expect(csv.lines).toEqual([2, 4]);
    const jsonl = await readFile("d.jsonl.gz", gzipSync(utf8('{"a": 1}\n{"a": 2}\n')));
    expect(jsonl.rows).toEqual([[1], [2]]);
  });

  it("reads gzip from a buffer, format and compression taken from the display name", async () => {
    const table = await openTableFromBuffer(gzipSync(utf8("a\tb\n1\t2\n")), {
      displayName: "old/data.tsv.gz",
    });
    expect((await collect(table)).rows).toEqual([["1", "2"]]);
  });

  it("reports a corrupt or truncated gzip file", async () => {
    const message = await userErrorOf(() => readFile("bad.csv.gz", utf8("a,b\n1,2\n")));
    expect(message).toMatch(/bad\.csv\.gz: not a valid gzip file/);
    const full = gzipSync(utf8("a,b\n".repeat(1000)));
    const cut = await userErrorOf(() => readFile("cut.csv.gz", full.subarray(0, full.length - 10)));
    expect(cut).toMatch(/cut\.csv\.gz: not a valid gzip file/);
    expect(cut).toContain("Check that the file is complete");
  });

  it("hints at gzip when a compressed file lacks the .gz extension", async () => {
    const message = await userErrorOf(() => readFile("zipped.csv", gzipSync(utf8("a,b\n1,2\n"))));
    expect(message).toMatch(/zipped\.csv:1:\d+: invalid UTF-8/);
    expect(message).toContain("give it a .gz extension");
  });
});

describe("detectFormat", () => {
  it("maps extensions, ignoring .gz and letter case", () => {
    expect(detectFormat("a/b.csv")).toBe("csv");
    expect(detectFormat("B.CSV.GZ")).toBe("csv");
    expect(detectFormat("x.tsv")).toBe("tsv");
    expect(detectFormat("x.tab.gz")).toBe("tsv");
    expect(detectFormat("x.jsonl")).toBe("jsonl");
    expect(detectFormat("x.ndjson.gz")).toBe("jsonl");
  });

  it("names the supported formats for an unknown extension", () => {
    expect(() => detectFormat("data.xlsx")).toThrow(UserError);
    expect(() => detectFormat("data.xlsx")).toThrow(
      /data\.xlsx: .*"\.xlsx".*\.csv, \.tsv\/\.tab, \.jsonl\/\.ndjson/,
    );
    expect(() => detectFormat("v1.2/data")).toThrow(/extension missing/);
  });
});

describe("readColumns", () => {
  it("returns the table column by column", async () => {
    const path = tempFile("pred.csv", "label,score\n1,0.9\n0,\n");
    const { columns, data, rowCount } = await readColumns(path);
    expect(columns).toEqual(["label", "score"]);
    expect(rowCount).toBe(2);
    expect(data.label).toEqual(["1", "0"]);
    expect(data.score).toEqual(["0.9", null]);
  });
});

describe("bad input gives one clear UserError", () => {
  it("ragged row: file:line, expected vs got, and the fix", async () => {
    const message = await userErrorOf(async () =>
      collect(await openTable(join(BAD, "ragged.csv"), { displayName: "data.csv" })),
    );
    expect(message).toBe(
      "data.csv:7: expected 5 fields (as in the header), got 6. " +
        "Check for an unquoted delimiter inside a field, or quote that field.",
    );
  });

  it("short row says what to check", async () => {
    const message = await userErrorOf(() => readFile("short.csv", "a,b,c\n1,2,3\n4,5\n"));
    expect(message).toMatch(
      /short\.csv:3: expected 3 fields \(as in the header\), got 2\. Check for a missing field/,
    );
  });

  it("unterminated quote: names the line and column where the quote opened", async () => {
    const path = join(BAD, "unterminated-quote.csv");
    const message = await userErrorOf(async () => collect(await openTable(path)));
    expect(message).toBe(
      `${path}:5:3: this quoted field is never closed (reached the end of the file). ` +
        'Close the quote; a quote inside a quoted field is written twice ("").',
    );
  });

  it("invalid UTF-8: names line, column and byte, and how to convert", async () => {
    const message = await userErrorOf(async () =>
      collect(await openTable(join(BAD, "invalid-utf8.csv"), { displayName: "cities.csv" })),
    );
    expect(message).toBe(
      "cities.csv:3:4: invalid UTF-8 (byte 0xFC at byte 21). mlgate reads text as UTF-8: " +
        "re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`.",
    );
  });

  it("empty file", async () => {
    const message = await userErrorOf(() => openTable(join(BAD, "empty.csv"), { displayName: "empty.csv" }));
    expect(message).toBe(
      "empty.csv: the file is empty. A CSV file needs a header line with the column names.",
    );
    const jsonl = await userErrorOf(() => readFile("e.jsonl", "\n\n"));
    expect(jsonl).toMatch(/e\.jsonl: the file is empty\. A JSON Lines file needs one JSON object per line/);
  });

  it("invalid JSON line: names line and column", async () => {
    const message = await userErrorOf(async () =>
      collect(await openTable(join(BAD, "bad-json.jsonl"), { displayName: "bad-json.jsonl" })),
    );
    expect(message).toMatch(/^bad-json\.jsonl:3:25: invalid JSON \(.+\)\. /);
    expect(message).toContain('Each line must be one complete JSON object, e.g. {"id": 1, "plan": "pro"}.');
    expect(message).not.toContain("at position");
  });

  it("duplicate and empty header names, all reported at once", async () => {
    const message = await userErrorOf(() => readFile("h.csv", "id,name,,name\n1,2,3,4\n"));
    expect(message).toMatch(/h\.csv:1: column 3 has an empty name in the header\. Give every column a name/);
    expect(message).toMatch(
      /h\.csv:1: column name "name" appears twice in the header \(columns 2 and 4\)\. Rename/,
    );
  });

  it("text after a closing quote", async () => {
    const message = await userErrorOf(() => readFile("aq.csv", 'a,b\n1,"x"y\n'));
    expect(message).toMatch(
      /aq\.csv:2:6: expected a delimiter or the end of the line after the closing quote, got "y"/,
    );
    expect(message).toContain('written twice: "say ""hi"""');
    const cr = await userErrorOf(() => readFile("aqcr.csv", 'a,b\n1,"x"\rz\n'));
    expect(cr).toMatch(/aqcr\.csv:2:6: .* got "\\r"/);
  });

  it("missing file and directory", async () => {
    const missing = await userErrorOf(() => openTable(join(dir, "nope.csv"), { displayName: "nope.csv" }));
    expect(missing).toMatch(/^nope\.csv: file not found\. Check the path/);
    const sub = join(dir, "adir.csv");
    mkdirSync(sub);
    expect(await userErrorOf(() => openTable(sub))).toMatch(/is a directory/);
  });

  it("invalid UTF-8 split over chunks and truncated at the end of the file", async () => {
    const bytes = utf8("a,b\n1,ok\n2,é\n3,");
    const withBad = new Uint8Array([...bytes, 0xe2, 0x82]); // first two bytes of "€", then EOF
    const message = await userErrorOf(async () =>
      collect(await openTableFromChunks(inPieces(withBad, [withBad.length - 1]), { displayName: "t.csv" })),
    );
    expect(message).toMatch(/^t\.csv:4:3: invalid UTF-8 \(byte 0xE2/);
  });
});

describe("properties", () => {
  const cellText = fc.string({
    unit: fc.oneof(
      fc.constantFrom('"', ",", "\r", "\n", " ", "\t", ";", "é", "😀", "\uFEFF"),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  });

  const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
    fc.record({
      header: fc.uniqueArray(
        cellText.filter((s) => s.trim() !== ""),
        { minLength: width, maxLength: width },
      ),
      rows: fc.array(
        fc.array(width === 1 ? cellText : fc.option(cellText, { nil: null }), {
          minLength: width,
          maxLength: width,
        }),
        { maxLength: 8 },
      ),
      quoteAll: fc.boolean(),
      finalNewline: fc.boolean(),
    }),
  );

  it("RFC 4180 round trip: written cells read back the same (file on disk)", async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ header, rows, quoteAll, finalNewline }) => {
        const csv = toCsv([header, ...rows], quoteAll) + (finalNewline ? "\r\n" : "");
        const back = await readFile("rt.csv", csv);
        expect(back.columns).toEqual(header);
        expect(back.rows).toEqual(rows);
      }),
      { numRuns: 150 },
    );
  });

  it("chunk boundaries never change the result (CSV and JSONL)", async () => {
    const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(table, cuts, async ({ header, rows, quoteAll }, at) => {
        const bytes = utf8(`\uFEFF${toCsv([header, ...rows], quoteAll)}\n`);
        const whole = await collect(await openTableFromBuffer(bytes, { displayName: "x.csv" }));
        const pieces = await collect(
          await openTableFromChunks(inPieces(bytes, at), { displayName: "x.csv" }),
        );
        expect(pieces).toEqual(whole);
        expect(whole.rows).toEqual(rows);

        // Written by hand: JSON.stringify of an object would move integer-like keys first.
        const object = (values: (string | null)[]) =>
          `{${header.map((h, i) => `${JSON.stringify(h)}: ${JSON.stringify(values[i])}`).join(", ")}}`;
        const jsonl = utf8([object(header.map(() => "h")), ...rows.map(object)].join("\r\n"));
        const jsonWhole = await collect(await openTableFromBuffer(jsonl, { displayName: "x.jsonl" }));
        const jsonPieces = await collect(
          await openTableFromChunks(inPieces(jsonl, at), { displayName: "x.jsonl" }),
        );
        expect(jsonPieces).toEqual(jsonWhole);
        expect(jsonWhole.columns).toEqual(header);
        expect(jsonWhole.rows.slice(1)).toEqual(rows);
      }),
      { numRuns: 150 },
    );
  });

  it("random bytes never throw anything but a UserError", async () => {
    const interesting = fc.constantFrom(
      0x22,
      0x2c,
      0x0a,
      0x0d,
      0x7b,
      0x7d,
      0x3a,
      0xef,
      0xbb,
      0xbf,
      0xc3,
      0xe2,
    );
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), { maxLength: 200 });
    const name = fc.constantFrom("f.csv", "f.tsv", "f.jsonl", "f.csv.gz");
    await fc.assert(
      fc.asyncProperty(
        bytes,
        name,
        fc.array(fc.nat({ max: 200 }), { maxLength: 4 }),
        async (raw, file, at) => {
          const data = new Uint8Array(raw);
          try {
            await collect(await openTableFromChunks(inPieces(data, at), { displayName: file }));
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            expect(err.message).toMatch(/^f\.(csv|tsv|jsonl)(\.gz)?[:\s]/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
