/**
 * The fast CSV/TSV path: a byte-level RFC 4180 scanner that feeds the profiler and the
 * schema checks straight from 1 MiB reads, without a string per cell.
 *
 * It reads exactly what `table-reader.ts` reads (quoted fields, `""`, line breaks inside
 * quotes, BOM, CRLF, a lone CR as data, blank lines skipped, an empty unquoted field is
 * null) and must give the same rows: numbers are parsed from the bytes with the schema
 * checks' number grammar (Clinger's fast path, exact, or `Number` on the text when it does
 * not apply), text values are hashed and counted by their bytes and decoded only when a
 * count table is read, a sample is kept or a rule needs the text.
 *
 * Anything unusual — invalid UTF-8, a malformed quote, a ragged row, a field over 32 MiB —
 * makes the scanner give up ("bail") and the caller re-reads the file with `openTable`,
 * which produces the one clear error (or, should the scanner have been wrong, the result).
 * So errors are always the reference reader's, word for word.
 *
 * Ranges: `scanCsvRange` profiles the records that *start* in [start, stop) of the file;
 * `table-profiler.ts` splits a file into byte ranges for worker threads or `--shard i/n`. A range other than the first starts after the first
 * line break at or after its nominal offset. That is a record boundary unless the line
 * break sits inside a quoted field, which one range cannot tell; the previous range can:
 * it parses from a known boundary and reports where its last record ended. Ranges are
 * accepted only when each one starts exactly where the previous one ended — threads fall
 * back to one pass when they do not, shard profiles refuse to merge.
 */
import { isUtf8 } from "node:buffer";
import { readSync } from "node:fs";
import {
  type ColumnAccumulator,
  createProfiler,
  type Profile,
  type ProfileSource,
  type SketchSettings,
} from "../core/profile.js";
import {
  type CheckResult,
  type ColumnCheck,
  createSchemaChecker,
  type LazyText,
  type SchemaChecker,
  type TableRules,
} from "../core/schema-check.js";

const CHUNK = 1024 * 1024;
/** A field (or record piece) longer than this goes to the reference reader, which enforces 32 Mi chars. */
const MAX_CARRY = 32 * 1024 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;

export interface ScanJob {
  path: string;
  delimiter: number;
  columns: string[];
  rules: TableRules | null;
  sketch: SketchSettings;
  source: ProfileSource;
  /** Byte offset of the first record to read: 0 for the file start (the header is skipped). */
  start: number;
  /** Records starting at or after this byte offset belong to the next range. */
  stop: number;
  /** Line number at `start` (1 when unknown: the caller shifts the lines later). */
  firstLine: number;
  /** Bytes per read; default 1 MiB (tests use a few bytes to hit every chunk boundary). */
  chunk?: number;
}

export interface RangeResult {
  /** Why the fast path gave up (the caller re-reads with the reference reader), or null. */
  bailed: string | null;
  start: number;
  /** Byte offset where the first record at or after `stop` starts (or the file size). */
  end: number;
  rows: number;
  /** Line breaks between start and end. */
  lineBreaks: number;
  profile: Profile;
  checks: CheckResult[];
}

class Bail {
  constructor(readonly reason: string) {}
}

/** Reads one range of a CSV file. Synchronous: it runs in a worker or owns the main thread briefly. */
export function scanCsvRange(fd: number, job: ScanJob): RangeResult {
  const profiler = createProfiler(job.columns, { sketch: job.sketch, source: job.source });
  const checker = createSchemaChecker(job.rules ?? { columns: {} }, job.columns);
  const scanner = new CsvScanner(fd, job, profiler.columns, checker);
  let bailed: string | null = null;
  try {
    if (job.start === 0) scanner.skipHeader();
    scanner.run();
  } catch (err) {
    if (!(err instanceof Bail)) throw err;
    bailed = err.reason;
  }
  profiler.countRows(scanner.rows);
  return {
    bailed,
    start: job.start === 0 ? scanner.dataStart : job.start,
    end: scanner.offset,
    rows: scanner.rows,
    lineBreaks: scanner.line - job.firstLine,
    profile: profiler.finish(),
    checks: checker.finish(),
  };
}

/** Where the data starts (after BOM, blank lines and the header record) and its line. */
export function findDataStart(
  fd: number,
  job: Pick<ScanJob, "path" | "delimiter" | "columns">,
): { offset: number; line: number } | null {
  const scanner = new CsvScanner(
    fd,
    { ...job, rules: null, start: 0, stop: 0, firstLine: 1 } as ScanJob,
    [],
    null,
  );
  try {
    scanner.skipHeader();
  } catch (err) {
    if (err instanceof Bail) return null;
    throw err;
  }
  return { offset: scanner.dataStart, line: scanner.line };
}

/**
 * Where a range nominally starting at `nominal` really starts if no quoted field spans
 * the spot: after the first line break at or after `nominal - 1`.
 */
export function guessRecordStart(fd: number, nominal: number, size: number): number {
  const buf = Buffer.allocUnsafe(64 * 1024);
  let at = nominal - 1;
  while (at < size) {
    const n = readSync(fd, buf, 0, buf.length, at);
    if (n === 0) break;
    const i = buf.subarray(0, n).indexOf(LF);
    if (i !== -1) return at + i + 1;
    at += n;
  }
  return size;
}

class FieldText implements LazyText {
  bytes: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  text(): string {
    return this.bytes.toString("utf8", this.start, this.end);
  }
  codePoints(): number {
    let n = 0;
    for (let i = this.start; i < this.end; i++) if ((this.bytes[i]! & 0xc0) !== 0x80) n++;
    return n;
  }
  copyTo(target: Uint8Array): number {
    const length = this.end - this.start;
    if (length > target.length) return -1;
    for (let i = 0; i < length; i++) target[i] = this.bytes[this.start + i]!;
    return length;
  }
}

/** How a column's non-null cells reach its schema checks (ColumnCheck's methods). */
const Feed = { None: 0, Text: 1, Number: 2, Integer: 3, Any: 4, Parsed: 5 } as const;
type Feed = (typeof Feed)[keyof typeof Feed];

class CsvScanner {
  rows = 0;
  line: number;
  dataStart = 0;
  private buf: Buffer;
  private view: DataView;
  private readonly chunk: number;
  private len = 0;
  private pos = 0;
  /** File offset of buf[0]. */
  private base: number;
  private eof = false;
  private validated = 0;
  private readonly delimiter: number;
  private readonly delimiterMask: number;
  private readonly width: number;
  private readonly stop: number;
  private readonly checks: (ColumnCheck | undefined)[];
  private readonly feeds: Feed[];
  private readonly rowCells: (string | null)[] | null;
  private readonly fieldText = new FieldText();
  private scratch: Buffer = Buffer.allocUnsafe(4096);
  private scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
  private header = false;
  private row = 0;
  private recordLine = 0;

  constructor(
    private readonly fd: number,
    job: ScanJob,
    private readonly accs: readonly ColumnAccumulator[],
    private readonly checker: SchemaChecker | null,
  ) {
    this.chunk = job.chunk ?? CHUNK;
    this.buf = Buffer.allocUnsafe(2 * this.chunk);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.base = job.start;
    this.line = job.firstLine;
    this.delimiter = job.delimiter;
    this.delimiterMask = Math.imul(job.delimiter, 0x01010101);
    this.width = job.columns.length;
    this.stop = job.stop;
    const needsRows = checker?.needsRows ?? false;
    this.checks = needsRows || checker === null ? [] : [...checker.columnChecks];
    this.feeds = this.checks.map(feedOf);
    this.rowCells = needsRows ? new Array<string | null>(this.width).fill(null) : null;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  skipHeader(): void {
    this.fill(0);
    if (this.len >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3;
    this.header = true;
    while (this.header) {
      if (!this.skipBlankLines()) break;
      this.record();
    }
    this.header = false;
    this.dataStart = this.offset;
  }

  run(): void {
    while (this.skipBlankLines() && this.offset < this.stop) this.record();
  }

  /** Skips blank lines; false at the end of the file. */
  private skipBlankLines(): boolean {
    for (;;) {
      if (this.pos >= this.len) {
        if (this.eof) return false;
        this.fill(this.pos);
        continue;
      }
      if (this.offset >= this.stop && !this.header) return true; // the caller stops here
      const c = this.buf[this.pos]!;
      if (c === LF) {
        this.pos++;
        this.line++;
        continue;
      }
      if (c === CR) {
        if (this.pos + 1 >= this.len && !this.eof) {
          this.fill(this.pos);
          continue;
        }
        if (this.pos + 1 >= this.len) {
          this.pos++; // a lone CR at the end of the file: an empty line
          return false;
        }
        if (this.buf[this.pos + 1] === LF) {
          this.pos += 2;
          this.line++;
          continue;
        }
      }
      return true;
    }
  }

  /** One record from `pos`, which is not a blank line. */
  private record(): void {
    this.recordLine = this.line;
    if (!this.header) {
      this.rows++;
      this.row = this.checker !== null && this.rowCells === null ? this.checker.countRow() : this.rows;
    }
    let col = 0;
    for (;;) {
      if (this.pos >= this.len) {
        if (!this.eof) {
          this.fill(this.pos);
          continue;
        }
        // "a,b," at the end of the file: the last field is empty
        this.emit(col++, this.buf, this.view, this.pos, this.pos, false, Number.NaN);
        break;
      }
      const terminator = this.buf[this.pos] === QUOTE ? this.quoted(col++) : this.unquoted(col++);
      if (terminator === this.delimiter) continue;
      if (terminator === LF) this.line++;
      break;
    }
    if (this.header) {
      this.header = false;
      return;
    }
    if (col !== this.width) throw new Bail(`line ${this.recordLine}: ${col} fields`);
    if (this.rowCells !== null) this.checker!.add({ line: this.recordLine, values: this.rowCells });
  }

  /**
   * An unquoted field at `pos`, up to the delimiter or LF (a CR before that LF is not part
   * of it). A field that starts like a number is parsed while it is scanned. Returns the
   * terminator (-1 at the end of the file) and leaves `pos` after it.
   */
  private unquoted(col: number): number {
    for (;;) {
      const buf = this.buf;
      const len = this.len;
      const start = this.pos;
      const c0 = buf[start]!;
      let value = Number.NaN;
      let i = start;
      if (c0 <= 0x39 && (c0 >= 0x30 || c0 === DOT || c0 === MINUS || c0 === PLUS)) {
        value = scanNumber(buf, start, len);
        i = numberEnd;
        if (i >= len) {
          if (!this.eof) {
            this.fill(start);
            continue;
          }
          this.emit(col, buf, this.view, start, i, false, value);
          this.pos = i;
          return -1;
        }
        const c = buf[i]!;
        if (c === this.delimiter || c === LF) {
          this.emit(col, buf, this.view, start, i, false, value);
          this.pos = i + 1;
          return c;
        }
        if (c === CR) {
          if (i + 1 >= len && !this.eof) {
            this.fill(start);
            continue;
          }
          if (i + 1 >= len || buf[i + 1] === LF) {
            this.emit(col, buf, this.view, start, i, false, value);
            this.pos = i + 2 > len ? len : i + 2;
            return i + 1 >= len ? -1 : LF;
          }
        }
        value = Number.NaN; // more text follows: not a number
      }
      const j = this.fieldEnd(i);
      if (j >= len && !this.eof) {
        this.fill(start);
        continue;
      }
      const terminator = j < len ? buf[j]! : -1;
      let end = j;
      if (terminator !== this.delimiter && end > start && buf[end - 1] === CR) end--;
      this.emit(col, buf, this.view, start, end, false, Number.NaN);
      this.pos = terminator === -1 ? j : j + 1;
      return terminator;
    }
  }

  /** Index of the first delimiter or LF at or after `i`, or `len`; four bytes per step. */
  private fieldEnd(i: number): number {
    const buf = this.buf;
    const view = this.view;
    const len = this.len;
    const mask = this.delimiterMask;
    const last = len - 4;
    while (i <= last) {
      const v = view.getInt32(i, true);
      const x = v ^ mask;
      const y = v ^ 0x0a0a0a0a;
      // a zero byte in x or y is a delimiter or LF; the lowest flag marks the first one
      const t = (((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080;
      if (t !== 0) return i + ((31 - Math.clz32(t & -t)) >> 3);
      i += 4;
    }
    const delimiter = this.delimiter;
    while (i < len) {
      const c = buf[i]!;
      if (c === delimiter || c === LF) return i;
      i++;
    }
    return len;
  }

  /** Index of the first quote or LF at or after `i`, or `len`. */
  private quoteOrLf(i: number): number {
    const buf = this.buf;
    const view = this.view;
    const len = this.len;
    const last = len - 4;
    while (i <= last) {
      const v = view.getInt32(i, true);
      const x = v ^ 0x22222222;
      const y = v ^ 0x0a0a0a0a;
      const t = (((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080;
      if (t !== 0) return i + ((31 - Math.clz32(t & -t)) >> 3);
      i += 4;
    }
    while (i < len) {
      const c = buf[i]!;
      if (c === QUOTE || c === LF) return i;
      i++;
    }
    return len;
  }

  /** A quoted field at `pos`; returns the terminator (delimiter, LF or -1 for the end of the file). */
  private quoted(col: number): number {
    let from = this.pos + 1; // where to look for the next quote
    let escaped = false;
    let lineBreaks = 0;
    for (;;) {
      const q = this.quoteOrLf(from);
      if (q >= this.len) {
        if (this.eof) throw new Bail("unterminated quote");
        const scanned = q - this.pos;
        this.fill(this.pos);
        from = this.pos + scanned;
        continue;
      }
      if (this.buf[q] === LF) {
        lineBreaks++;
        from = q + 1;
        continue;
      }
      if (q + 2 >= this.len && !this.eof) {
        // need the bytes after the quote (a CR needs one more)
        const at = q - this.pos;
        this.fill(this.pos);
        from = this.pos + at;
        continue;
      }
      const next = q + 1 < this.len ? this.buf[q + 1]! : -1;
      if (next === QUOTE) {
        escaped = true;
        from = q + 2;
        continue;
      }
      let terminator: number;
      let after: number;
      if (next === this.delimiter || next === LF || next === -1) {
        terminator = next;
        after = next === -1 ? q + 1 : q + 2;
      } else if (next === CR) {
        const then = q + 2 < this.len ? this.buf[q + 2]! : -1;
        if (then === LF) {
          terminator = LF;
          after = q + 3;
        } else if (then === -1) {
          terminator = -1;
          after = q + 2;
        } else throw new Bail("CR after a closing quote");
      } else throw new Bail("text after a closing quote");
      this.line += lineBreaks;
      const start = this.pos + 1;
      if (escaped) {
        const length = this.unescape(start, q);
        this.emit(col, this.scratch, this.scratchView, 0, length, true, numberIn(this.scratch, 0, length));
      } else this.emit(col, this.buf, this.view, start, q, true, numberIn(this.buf, start, q));
      this.pos = after;
      return terminator;
    }
  }

  /** Copies buf[start, end) to the scratch buffer with each `""` made one quote; returns the length. */
  private unescape(start: number, end: number): number {
    if (end - start > this.scratch.length) {
      this.scratch = Buffer.allocUnsafe(end - start);
      this.scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    }
    const buf = this.buf;
    const out = this.scratch;
    let o = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      out[o++] = c;
      if (c === QUOTE) i++;
    }
    return o;
  }

  /** One field: `num` is its value when it reads as a number, else NaN. */
  private emit(
    col: number,
    bytes: Buffer,
    view: DataView,
    start: number,
    end: number,
    quoted: boolean,
    num: number,
  ): void {
    if (this.header) return;
    const acc = this.accs[col];
    if (acc === undefined) throw new Bail(`line ${this.recordLine}: more fields than columns`);
    const check = this.checks[col];
    const cells = this.rowCells;
    if (start === end && !quoted) {
      acc.addNull();
      if (check !== undefined) check.nullCell(this.row, this.recordLine);
      else if (cells !== null) cells[col] = null;
      return;
    }
    let id = -1;
    if (!Number.isNaN(num)) acc.addNumber(num);
    else id = acc.addText(bytes, view, start, end);
    if (check !== undefined) {
      const text = this.fieldText;
      text.bytes = bytes;
      text.start = start;
      text.end = end;
      switch (this.feeds[col]) {
        case Feed.Number:
          check.numberCell(num, text, this.row, this.recordLine);
          break;
        case Feed.Integer:
          check.numberCell(
            !Number.isNaN(num) && integerGrammar ? num : Number.NaN,
            text,
            this.row,
            this.recordLine,
          );
          break;
        case Feed.Any:
          check.anyCell(text, this.row, this.recordLine);
          break;
        case Feed.Parsed:
          check.parsedCell(readBoolean(bytes, start, end), text, this.row, this.recordLine);
          break;
        default:
          check.textCell(id >= 0 ? acc.items.text(id) : text.text(), this.row, this.recordLine);
      }
    } else if (cells !== null) cells[col] = bytes.toString("utf8", start, end);
  }

  /**
   * Moves buf[keepFrom, len) to the front and reads the next chunk after it. `pos` moves
   * with the kept bytes. Validates UTF-8 as it goes.
   */
  private fill(keepFrom: number): void {
    let buf = this.buf;
    const keep = this.len - keepFrom;
    if (keepFrom > 0) {
      buf.copyWithin(0, keepFrom, this.len);
      this.base += keepFrom;
      this.pos -= keepFrom;
      this.validated = Math.max(0, this.validated - keepFrom);
    }
    this.len = keep;
    if (keep > MAX_CARRY) throw new Bail("a field over 32 MiB");
    if (keep + this.chunk > buf.length) {
      const grown = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(grown, 0, 0, keep);
      this.buf = buf = grown;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const n = readSync(this.fd, buf, keep, this.chunk, this.base + keep);
    if (n === 0) this.eof = true;
    this.len = keep + n;
    const cut = this.eof ? this.len : completePrefixLength(buf, this.len);
    if (cut > this.validated) {
      if (!isUtf8(buf.subarray(this.validated, cut))) throw new Bail("invalid UTF-8");
      this.validated = cut;
    }
  }
}

function feedOf(check: ColumnCheck | undefined): Feed {
  if (check === undefined) return Feed.None;
  if (check.needsText) return Feed.Text;
  switch (check.type) {
    case "number":
      return Feed.Number;
    case "integer":
      return Feed.Integer;
    case "string":
    case "category":
      return Feed.Any;
    default:
      return Feed.Parsed;
  }
}

/** The value of bytes[start, end) when all of it reads as a number, else NaN. */
function numberIn(bytes: Uint8Array, start: number, end: number): number {
  const c0 = bytes[start];
  if (
    start === end ||
    c0 === undefined ||
    c0 > 0x39 ||
    (c0 < 0x30 && c0 !== DOT && c0 !== MINUS && c0 !== PLUS)
  ) {
    return Number.NaN;
  }
  return parseNumberBytes(bytes, start, end);
}

/** Length of the prefix of buf[0, len) that does not end inside a multi-byte UTF-8 sequence. */
function completePrefixLength(buf: Uint8Array, len: number): number {
  for (let k = 1; k <= 3 && k <= len; k++) {
    const b = buf[len - k]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return len;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > k ? len - k : len;
  }
  return len;
}

function readBoolean(bytes: Uint8Array, start: number, end: number): boolean | undefined {
  const n = end - start;
  if (n === 1) {
    const c = bytes[start];
    return c === 0x31 ? true : c === 0x30 ? false : undefined;
  }
  const lower = (i: number) => bytes[start + i]! | 0x20; // ASCII letters only below
  if (n === 4)
    return lower(0) === 0x74 && lower(1) === 0x72 && lower(2) === 0x75 && lower(3) === 0x65
      ? true
      : undefined;
  if (n === 5) {
    return lower(0) === 0x66 &&
      lower(1) === 0x61 &&
      lower(2) === 0x6c &&
      lower(3) === 0x73 &&
      lower(4) === 0x65
      ? false
      : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------
// Numbers from bytes

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Set by `scanNumber`/`parseNumberBytes`: the text was an integer (sign and digits only). */
export let integerGrammar = false;
/** Set by `scanNumber`: where the number's text stopped. */
let numberEnd = 0;

/**
 * `Number(text)` for bytes[start, end) matching the schema checks' number grammar
 * `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?` when finite; NaN otherwise.
 */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  const value = scanNumber(b, start, end);
  return numberEnd === end ? value : Number.NaN;
}

/**
 * Reads the longest prefix of bytes[start, limit) that the number grammar can continue
 * and sets `numberEnd` after it; returns its value (NaN when that prefix is not a complete
 * number, or not finite). Up to 15 significant digits and a decimal exponent within ±22 it
 * computes m·10^e or m/10^e from exact operands — one rounding, so exactly what `Number`
 * gives (Clinger 1990) — else it calls `Number` on the text.
 */
function scanNumber(b: Uint8Array, start: number, limit: number): number {
  integerGrammar = false;
  let i = start;
  let c = b[i];
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  // Leading zeros carry no digits; then up to 15 significant digits fit a double exactly.
  const digitsFrom = i;
  while (i < limit && b[i] === 0x30) i++;
  let mantissa = 0;
  const intFrom = i;
  while (i < limit) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    i++;
  }
  let significant = i - intFrom;
  let digits = i - digitsFrom;
  let scale = 0;
  let fraction = false;
  if (i < limit && b[i] === DOT) {
    fraction = true;
    i++;
    const fracFrom = i;
    if (significant === 0) {
      while (i < limit && b[i] === 0x30) i++; // 0.000123: zeros only move the point
    }
    const sigFrom = i;
    while (i < limit) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      i++;
    }
    significant += i - sigFrom;
    scale = fracFrom - i;
    digits += i - fracFrom;
  }
  if (digits === 0) {
    numberEnd = i;
    return Number.NaN;
  }
  let exponent = 0;
  let hasExponent = false;
  c = b[i];
  if (i < limit && (c === 0x65 || c === 0x45)) {
    hasExponent = true;
    i++;
    let expNegative = false;
    if (i < limit && (b[i] === MINUS || b[i] === PLUS)) expNegative = b[i++] === MINUS;
    const first = i;
    while (i < limit) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      if (exponent < 100_000) exponent = exponent * 10 + d;
      i++;
    }
    if (i === first) {
      numberEnd = i;
      return Number.NaN;
    }
    if (expNegative) exponent = -exponent;
  }
  numberEnd = i;
  integerGrammar = !fraction && !hasExponent;
  let value: number;
  const e10 = scale + exponent;
  if (mantissa === 0) value = 0;
  else if (significant <= 15 && e10 >= -22 && e10 <= 22) {
    value = e10 >= 0 ? mantissa * POW10[e10]! : mantissa / POW10[-e10]!;
  } else {
    // rare: many digits or a far exponent; the grammar held, so the text is ASCII
    let text = "";
    for (let k = start; k < i; k++) text += String.fromCharCode(b[k]!);
    const n = Number(text);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return negative ? -value : value;
}
