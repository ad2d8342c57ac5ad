/**
 * Streaming reader for CSV, TSV and JSON Lines tables, optionally gzip-compressed.
 * Parquet files are handed to `parquet-reader.ts`, which returns the same `OpenTable`.
 *
 * Bytes arrive in chunks (1 MiB from disk), are decoded as strict UTF-8 and fed to an
 * incremental parser that keeps only the record in progress, so memory does not grow
 * with the row count. Every problem with the input is a `UserError` naming the file,
 * the line (and column where it helps) and the fix.
 *
 * Decisions (also in the README):
 * - CSV follows RFC 4180: quoted fields, `""` inside quotes, line breaks inside quotes.
 *   Records end at LF or CRLF; a lone CR is kept as data. Line numbers count LF.
 * - CSV values are raw strings; only an empty *unquoted* field is `null` (`""` is the
 *   empty string). Interpreting `NA`, numbers, dates is the schema checker's job.
 * - Blank lines are skipped (as pandas does), so a trailing empty line is not a row.
 * - A quote in the middle of an unquoted field is kept as a literal character.
 * - JSONL: the first object's keys are the columns; a later unknown key is an error,
 *   a missing key is `null`; nested objects/arrays become their JSON text.
 */

import { createReadStream } from "node:fs";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { formatPosition, UserError } from "../errors.js";
import { fileError, isErrno } from "./file-errors.js";
import { openParquet, openParquetFromBuffer } from "./parquet-reader.js";

export type Cell = string | number | boolean | null;
export type TableFormat = "csv" | "tsv" | "jsonl" | "parquet";

export interface TableReadOptions {
  format?: TableFormat;
  delimiter?: string;
  /** Display name used in errors, default = path. */
  displayName?: string;
}

export interface TableRow {
  /** 1-based line where the record starts (Parquet: the 1-based row number). */
  line: number;
  values: Cell[];
}

export interface OpenTable {
  columns: string[];
  /**
   * Single-use. Iterate to the end, or break out of the loop, to release the file.
   * Errors in the data (ragged rows, bad quotes, invalid UTF-8) surface while iterating.
   */
  rows: AsyncIterable<TableRow>;
}

const CHUNK_BYTES = 1024 * 1024;
/** Guards memory against a runaway field, which almost always is an unclosed quote. */
const MAX_FIELD_CHARS = 32 * 1024 * 1024;
const SUPPORTED = ".csv, .tsv/.tab, .jsonl/.ndjson (each optionally .gz), .parquet/.pq";

export function detectFormat(path: string): TableFormat {
  const lower = path.toLowerCase().replace(/\.gz$/, "");
  const dot = lower.lastIndexOf(".");
  const ext = dot > Math.max(lower.lastIndexOf("/"), lower.lastIndexOf("\\")) ? lower.slice(dot) : "";
  switch (ext) {
    case ".csv":
      return "csv";
    case ".tsv":
    case ".tab":
      return "tsv";
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".parquet":
    case ".pq":
      return "parquet";
    default:
      throw new UserError(
        `${path}: cannot tell the table format from the file name (extension ${ext === "" ? "missing" : `"${ext}"`}). ` +
          `Supported: ${SUPPORTED}. Rename the file or set the format explicitly.`,
      );
  }
}

export async function openTable(path: string, opts: TableReadOptions = {}): Promise<OpenTable> {
  const displayName = opts.displayName ?? path;
  if ((opts.format ?? detectFormat(displayName)) === "parquet") return openParquet(path, { displayName });
  return openTableFromChunks(fileChunks(path, displayName), { ...opts, displayName, gzip: isGzipName(path) });
}

/** For bytes already in memory, e.g. a file read from git at another commit. */
export async function openTableFromBuffer(
  bytes: Uint8Array,
  opts: TableReadOptions & { displayName: string },
): Promise<OpenTable> {
  if ((opts.format ?? detectFormat(opts.displayName)) === "parquet")
    return openParquetFromBuffer(bytes, opts);
  return openTableFromChunks(bufferChunks(bytes), opts);
}

/**
 * For any byte stream (a `git show` pipe, a download). Format and gzip are taken from
 * `displayName` unless given.
 */
export async function openTableFromChunks(
  chunks: AsyncIterable<Uint8Array>,
  opts: TableReadOptions & { displayName: string; gzip?: boolean },
): Promise<OpenTable> {
  const name = opts.displayName;
  const format = opts.format ?? detectFormat(name);
  // Parquet needs random access (its footer comes last): gather the bytes first.
  if (format === "parquet") return openParquetFromBuffer(await gatherBytes(chunks), opts);
  const gzip = opts.gzip ?? isGzipName(name);
  const source = gzip ? gunzipChunks(chunks, name) : chunks;
  const parser = format === "jsonl" ? new JsonlParser(name) : new CsvParser(name, delimiterFor(format, opts));

  const records = new RecordStream(parseBatches(source, parser, name)[Symbol.asyncIterator](), name);
  let columns: string[];
  try {
    const first = await records.next();
    if (first.done) {
      throw new UserError(
        format === "jsonl"
          ? `${name}: the file is empty. A JSON Lines file needs one JSON object per line, e.g. {"id": 1, "plan": "pro"}.`
          : `${name}: the file is empty. A ${format.toUpperCase()} file needs a header line with the column names.`,
      );
    }
    columns = checkHeader(first.value, name, format);
  } catch (err) {
    await records.return();
    throw err;
  }
  records.width = columns.length;
  let used = false;
  return {
    columns,
    rows: {
      [Symbol.asyncIterator]() {
        if (used) throw new Error(`rows of ${name} can only be iterated once`);
        used = true;
        return records;
      },
    },
  };
}

/** Convenience for small files (predictions): the whole table, column by column. */
export async function readColumns(
  path: string,
  opts: TableReadOptions = {},
): Promise<{ columns: string[]; data: Record<string, Cell[]>; rowCount: number }> {
  const table = await openTable(path, opts);
  const arrays: Cell[][] = table.columns.map(() => []);
  let rowCount = 0;
  for await (const row of table.rows) {
    for (let c = 0; c < arrays.length; c++) arrays[c]!.push(row.values[c] ?? null);
    rowCount++;
  }
  // A null-prototype object so a column named "__proto__" is stored like any other.
  const data: Record<string, Cell[]> = Object.create(null);
  table.columns.forEach((col, c) => {
    data[col] = arrays[c]!;
  });
  return { columns: table.columns, data, rowCount };
}

// ---------------------------------------------------------------------------------
// Bytes

function isGzipName(name: string): boolean {
  return name.toLowerCase().endsWith(".gz");
}

function delimiterFor(format: TableFormat, opts: TableReadOptions): number {
  const delimiter = opts.delimiter ?? (format === "tsv" ? "\t" : ",");
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\r" || delimiter === "\n") {
    throw new UserError(
      `${opts.displayName}: delimiter ${JSON.stringify(delimiter)} is not usable. ` +
        'Use a single character other than a quote ("), CR or LF, e.g. ";" or "\\t".',
    );
  }
  return delimiter.charCodeAt(0);
}

async function* fileChunks(path: string, name: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw fileError(err, name);
  } finally {
    stream.destroy();
  }
}

async function gatherBytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function* bufferChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}

async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const input = Readable.from(chunks, { objectMode: false });
  // Errors reach us through `gunzip`, which pipeline destroys with the first error.
  pipeline(input, gunzip, () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (isErrno(err) && err.code?.startsWith("Z_")) {
      throw new UserError(
        `${name}: not a valid gzip file (${err.message}). ` +
          "Check that the file is complete and really gzip-compressed, or remove the .gz extension.",
      );
    }
    throw err;
  } finally {
    gunzip.destroy();
    input.destroy();
  }
}

// ---------------------------------------------------------------------------------
// UTF-8

class InvalidUtf8 {
  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
  ) {}
}

/**
 * Strict UTF-8 over chunks. We split chunks at character boundaries ourselves (instead of
 * `stream: true`) so that on failure we hold the exact bytes and can point at the line.
 */
class Utf8Chunks {
  // ignoreBOM keeps U+FEFF in the output: each decode() call is a fresh stream, and a
  // BOM-looking character at a chunk start must not vanish. The file's BOM is stripped once.
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private carry: Uint8Array = new Uint8Array(0);
  bytesBefore = 0;

  push(chunk: Uint8Array): string {
    const bytes = this.carry.length === 0 ? chunk : concatBytes(this.carry, chunk);
    const cut = completePrefixLength(bytes);
    this.carry = bytes.slice(cut);
    return this.decode(bytes.subarray(0, cut));
  }

  end(): string {
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    return this.decode(rest);
  }

  private decode(bytes: Uint8Array): string {
    try {
      const text = this.decoder.decode(bytes);
      this.bytesBefore += bytes.length;
      return text;
    } catch {
      throw new InvalidUtf8(bytes, firstInvalidUtf8(bytes));
    }
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Length of the prefix that does not end inside a multi-byte sequence. */
function completePrefixLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = bytes[n - k]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (b < 0xc0) return n; // ASCII
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > k ? n - k : n;
  }
  return n;
}

/** Offset of the first byte that starts an invalid sequence (RFC 3629 table 3-7). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

// ---------------------------------------------------------------------------------
// Records

interface RawRecord {
  line: number;
  values: Cell[];
}

interface RecordParser {
  /** Parses `text`, appending finished records to `out`. */
  push(text: string, out: RawRecord[]): void;
  end(out: RawRecord[]): void;
  /** 1-based line and column of the next character to be pushed. */
  readonly line: number;
  readonly column: number;
}

/** Records in batches, one batch per chunk, so that rows cost no generator step each. */
async function* parseBatches(
  chunks: AsyncIterable<Uint8Array>,
  parser: RecordParser,
  name: string,
): AsyncGenerator<RawRecord[]> {
  const utf8 = new Utf8Chunks();
  let first = true;
  const feed = (text: string, out: RawRecord[]) => {
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    parser.push(text, out);
  };
  try {
    for await (const chunk of chunks) {
      const out: RawRecord[] = [];
      feed(utf8.push(chunk), out);
      if (out.length > 0) yield out;
    }
    const out: RawRecord[] = [];
    feed(utf8.end(), out);
    parser.end(out);
    if (out.length > 0) yield out;
  } catch (err) {
    if (err instanceof InvalidUtf8) throw utf8Error(err, utf8.bytesBefore, parser, name);
    throw err;
  }
}

function utf8Error(err: InvalidUtf8, bytesBefore: number, parser: RecordParser, name: string): UserError {
  const { bytes, offset } = err;
  let line = parser.line;
  let lineStart = -1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i;
  }
  const prefix = new TextDecoder().decode(bytes.subarray(lineStart + 1, offset)).length;
  const column = lineStart === -1 ? parser.column + prefix : prefix + 1;
  const hex = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0");
  const gzipHint =
    bytesBefore === 0 && bytes[0] === 0x1f && bytes[1] === 0x8b
      ? " The file looks gzip-compressed: give it a .gz extension."
      : "";
  return new UserError(
    `${formatPosition({ file: name, line, column })}: invalid UTF-8 (byte 0x${hex} at byte ${bytesBefore + offset + 1}).` +
      (gzipHint ||
        " mlgate reads text as UTF-8: re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`."),
  );
}

function checkHeader(header: RawRecord, name: string, format: TableFormat): string[] {
  const columns = header.values.map((v) => (v === null ? "" : String(v)));
  if (columns.length === 0) {
    throw new UserError(
      `${formatPosition({ file: name, line: header.line })}: the first object has no keys. ` +
        'Columns come from the first line\'s keys: write every key there (use null for missing values), e.g. {"id": 1, "plan": null}.',
    );
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  columns.forEach((col, i) => {
    if (col.trim() === "") {
      problems.push(
        `${formatPosition({ file: name, line: header.line })}: column ${i + 1} has an empty name in the header. ` +
          (format === "jsonl" ? "Use a non-empty key." : "Give every column a name in the header line."),
      );
      return;
    }
    const before = seen.get(col);
    if (before !== undefined) {
      problems.push(
        `${formatPosition({ file: name, line: header.line })}: column name ${JSON.stringify(col)} appears twice ` +
          `in the header (columns ${before + 1} and ${i + 1}). Rename one of them.`,
      );
    } else seen.set(col, i);
  });
  if (problems.length > 0) throw new UserError(problems);
  return columns;
}

/**
 * Hands out records one by one from the batches. Once `width` is set (after the header),
 * every record must have that many fields.
 */
class RecordStream implements AsyncIterator<TableRow> {
  width: number | null = null;
  private batch: RawRecord[] = [];
  private at = 0;

  constructor(
    private readonly batches: AsyncIterator<RawRecord[]>,
    private readonly name: string,
  ) {}

  next(): Promise<IteratorResult<TableRow, undefined>> {
    if (this.at < this.batch.length) {
      try {
        return Promise.resolve({ done: false, value: this.take() });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.refill();
  }

  async return(): Promise<IteratorResult<TableRow, undefined>> {
    this.batch = [];
    await this.batches.return?.(undefined);
    return { done: true, value: undefined };
  }

  private async refill(): Promise<IteratorResult<TableRow, undefined>> {
    for (;;) {
      const next = await this.batches.next();
      if (next.done) return { done: true, value: undefined };
      this.batch = next.value;
      this.at = 0;
      if (this.batch.length > 0) return { done: false, value: this.take() };
    }
  }

  private take(): RawRecord {
    const record = this.batch[this.at++]!;
    const width = this.width;
    if (width !== null && record.values.length !== width) {
      const got = record.values.length;
      // The caller's loop will not call return() after a throw: release the file here.
      void this.return().catch(() => {});
      throw new UserError(
        `${formatPosition({ file: this.name, line: record.line })}: expected ${width} fields (as in the header), got ${got}. ` +
          (got > width
            ? "Check for an unquoted delimiter inside a field, or quote that field."
            : "Check for a missing field or a line break inside an unquoted field; quote fields that contain line breaks."),
      );
    }
    return record;
  }
}

// ---------------------------------------------------------------------------------
// CSV / TSV (RFC 4180)

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just read a quote inside a quoted field: an escaped quote or the closing one. */
const AFTER_QUOTE = 3;
/** Read CR right after a closing quote: only LF may follow. */
const AFTER_QUOTE_CR = 4;

class CsvParser implements RecordParser {
  line = 1;
  private lineStart = 0; // absolute char offset of the current line's first character
  private offset = 0; // absolute char offset of the current chunk's first character
  private state = FIELD_START;
  private fields: Cell[] = [];
  // The field in progress: almost always one piece, so no array unless it has more.
  private firstPart = "";
  private moreParts: string[] | null = null;
  private partsLength = 0;
  private recordLine = 1;
  private quoteLine = 0;
  private quoteColumn = 0;
  private crColumn = 0;

  constructor(
    private readonly name: string,
    private readonly delimiter: number,
  ) {}

  get column(): number {
    return this.offset - this.lineStart + 1;
  }

  push(text: string, out: RawRecord[]): void {
    const n = text.length;
    const delimiter = this.delimiter;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case FIELD_START:
          if (text.charCodeAt(i) === QUOTE) {
            this.state = QUOTED;
            this.quoteLine = this.line;
            this.quoteColumn = this.offset + i - this.lineStart + 1;
            i++;
          } else this.state = UNQUOTED;
          break;
        case UNQUOTED: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === delimiter || c === LF) break;
            j++;
          }
          if (j > i) this.append(text.slice(i, j));
          if (j === n) {
            i = n;
            break;
          }
          this.endField(false, c === LF);
          if (c === LF) this.endRecord(out, j);
          this.state = FIELD_START;
          i = j + 1;
          break;
        }
        case QUOTED: {
          const j = text.indexOf('"', i);
          const end = j === -1 ? n : j;
          if (end > i) {
            this.append(text.slice(i, end));
            this.countLines(text, i, end);
          }
          if (j === -1) i = n;
          else {
            this.state = AFTER_QUOTE;
            i = j + 1;
          }
          break;
        }
        case AFTER_QUOTE: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.append('"');
            this.state = QUOTED;
          } else if (c === delimiter) {
            this.endField(true, false);
            this.state = FIELD_START;
          } else if (c === LF) {
            this.endField(true, false);
            this.endRecord(out, i);
            this.state = FIELD_START;
          } else if (c === CR) {
            this.state = AFTER_QUOTE_CR;
            this.crColumn = this.offset + i - this.lineStart + 1;
          } else throw this.afterQuoteError(text[i]!, this.offset + i - this.lineStart + 1);
          i++;
          break;
        }
        case AFTER_QUOTE_CR: {
          if (text.charCodeAt(i) !== LF) throw this.afterQuoteError("\r", this.crColumn);
          this.endField(true, false);
          this.endRecord(out, i);
          this.state = FIELD_START;
          i++;
          break;
        }
      }
    }
    this.offset += n;
  }

  end(out: RawRecord[]): void {
    switch (this.state) {
      case FIELD_START:
        if (this.fields.length === 0) return; // clean end after a line break
        this.endField(false, false); // "a,b," at end of file: the last field is empty
        break;
      case UNQUOTED:
        this.endField(false, true);
        break;
      case QUOTED:
        throw new UserError(
          `${formatPosition({ file: this.name, line: this.quoteLine, column: this.quoteColumn })}: ` +
            "this quoted field is never closed (reached the end of the file). " +
            'Close the quote; a quote inside a quoted field is written twice ("").',
        );
      default:
        this.endField(true, false);
    }
    this.endRecord(out, -1);
  }

  private append(piece: string): void {
    if (this.partsLength === 0) this.firstPart = piece;
    else if (this.moreParts === null) this.moreParts = [piece];
    else this.moreParts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > MAX_FIELD_CHARS) {
      const where =
        this.state === QUOTED
          ? formatPosition({ file: this.name, line: this.quoteLine, column: this.quoteColumn })
          : formatPosition({ file: this.name, line: this.recordLine });
      throw new UserError(
        `${where}: a field is longer than ${MAX_FIELD_CHARS / 1024 / 1024} Mi characters. ` +
          "This usually means a quote was opened and never closed: check the quotes from here on.",
      );
    }
  }

  /** `stripCr`: the field ended at a line break (or EOF), so a CR before it belongs to CRLF. */
  private endField(quoted: boolean, stripCr: boolean): void {
    let value =
      this.partsLength === 0
        ? ""
        : this.moreParts === null
          ? this.firstPart
          : this.firstPart + this.moreParts.join("");
    if (stripCr && value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
    this.fields.push(!quoted && value === "" ? null : value);
    this.firstPart = "";
    this.moreParts = null;
    this.partsLength = 0;
  }

  /** `lfAt`: index in the current chunk of the LF ending the record, or -1 at EOF. */
  private endRecord(out: RawRecord[], lfAt: number): void {
    const fields = this.fields;
    // A blank line parses as one empty unquoted field: skip it.
    if (!(fields.length === 1 && fields[0] === null)) out.push({ line: this.recordLine, values: fields });
    this.fields = [];
    if (lfAt >= 0) {
      this.line++;
      this.lineStart = this.offset + lfAt + 1;
    }
    this.recordLine = this.line;
  }

  private countLines(text: string, from: number, to: number): void {
    for (let j = text.indexOf("\n", from); j !== -1 && j < to; j = text.indexOf("\n", j + 1)) {
      this.line++;
      this.lineStart = this.offset + j + 1;
    }
  }

  private afterQuoteError(got: string, column: number): UserError {
    return new UserError(
      `${formatPosition({ file: this.name, line: this.line, column })}: expected a delimiter or the end of the line ` +
        `after the closing quote, got ${JSON.stringify(got)}. ` +
        'A quote inside a quoted field is written twice: "say ""hi""".',
    );
  }
}

// ---------------------------------------------------------------------------------
// JSON Lines

class JsonlParser implements RecordParser {
  line = 1;
  private parts: string[] = [];
  private partsLength = 0;
  private columns: Map<string, number> | null = null;

  constructor(private readonly name: string) {}

  get column(): number {
    return this.partsLength + 1;
  }

  push(text: string, out: RawRecord[]): void {
    let i = 0;
    for (;;) {
      const j = text.indexOf("\n", i);
      if (j === -1) {
        if (i < text.length) this.append(text.slice(i));
        return;
      }
      const piece = text.slice(i, j);
      let lineText = piece;
      if (this.parts.length > 0) {
        lineText = this.parts.join("") + piece;
        this.parts = [];
        this.partsLength = 0;
      }
      this.parseLine(lineText, out);
      this.line++;
      i = j + 1;
    }
  }

  end(out: RawRecord[]): void {
    if (this.parts.length === 0) return;
    const lineText = this.parts.join("");
    this.parts = [];
    this.partsLength = 0;
    this.parseLine(lineText, out);
  }

  private append(piece: string): void {
    this.parts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > MAX_FIELD_CHARS) {
      throw new UserError(
        `${formatPosition({ file: this.name, line: this.line })}: line is longer than ${MAX_FIELD_CHARS / 1024 / 1024} Mi ` +
          "characters. Put one JSON object per line, each on its own line.",
      );
    }
  }

  private parseLine(raw: string, out: RawRecord[]): void {
    const text = raw.charCodeAt(raw.length - 1) === CR ? raw.slice(0, -1) : raw;
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw this.jsonError(text, err);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      const got = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
      throw new UserError(
        `${formatPosition({ file: this.name, line: this.line })}: expected a JSON object, got ${got}. ` +
          'Write one object per line, e.g. {"id": 1, "plan": "pro"}.',
      );
    }
    const object = parsed as Record<string, unknown>;
    const keys = Object.keys(object);
    let columns = this.columns;
    if (columns === null) {
      // Object.keys puts integer-like keys ("2024") first; the header keeps the file's order.
      const header = keysInTextOrder(text);
      columns = new Map(header.map((k, i) => [k, i]));
      this.columns = columns;
      out.push({ line: this.line, values: header });
    }
    const values: Cell[] = new Array<Cell>(columns.size).fill(null);
    for (const key of keys) {
      const index = columns.get(key);
      if (index === undefined) {
        throw new UserError(
          `${formatPosition({ file: this.name, line: this.line })}: key ${JSON.stringify(key)} is not in the first ` +
            "object, which defines the columns. Add it to the first line (with null if it has no value there).",
        );
      }
      values[index] = toCell(object[key]);
    }
    out.push({ line: this.line, values });
  }

  private jsonError(text: string, err: unknown): UserError {
    const message = err instanceof Error ? err.message : String(err);
    const at = /at position (\d+)/.exec(message);
    const column = at ? Number(at[1]) + 1 : text.length + 1;
    const reason = message.replace(/ (in JSON )?at position \d+.*$/, "").replace(/\.$/, "");
    return new UserError(
      `${formatPosition({ file: this.name, line: this.line, column })}: invalid JSON (${reason}). ` +
        'Each line must be one complete JSON object, e.g. {"id": 1, "plan": "pro"}.',
    );
  }
}

function toCell(value: unknown): Cell {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return value;
  }
  return JSON.stringify(value);
}

/**
 * Top-level keys of a JSON object in the order they are written, first occurrence
 * winning. `text` must already have parsed as a JSON object.
 */
function keysInTextOrder(text: string): string[] {
  const keys = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      while (text.charCodeAt(j) !== QUOTE) j += text.charCodeAt(j) === 0x5c ? 2 : 1; // skip \" escapes
      if (depth === 1 && expectKey) {
        keys.add(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
  }
  return [...keys];
}
