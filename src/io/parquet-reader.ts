/**
 * Streaming Parquet reader (hyparquet + hyparquet-compressors) with the same `OpenTable`
 * shape as the CSV/JSONL reader, so every consumer reads Parquet without knowing it.
 *
 * Memory: the file is read one row group at a time (its column chunks are fetched,
 * decompressed and decoded, then handed out row by row), so memory is bounded by the
 * largest row group, not by the file. Row groups are the unit a Parquet writer
 * compresses; writers keep them modest (pyarrow ≤ 1Mi rows, DuckDB 122,880).
 *
 * Decisions (also in the README):
 * - `line` is the 1-based row number (Parquet has no lines); errors name rows.
 * - Values become `Cell`s: numbers, booleans and strings as they are; 64-bit integers
 *   become numbers when they are safe integers (|n| ≤ 2^53 − 1), else their decimal text;
 *   NaN/±Infinity become the text "NaN"/"Infinity"/"-Infinity" (so a `number` check
 *   flags them, as it does for that text in a CSV); DATE becomes `YYYY-MM-DD`; timestamps
 *   become ISO 8601 with the stored precision (`2001-01-14T21:55:00`, fraction only when
 *   non-zero), ending in `Z` when the column is UTC-adjusted and without a zone when it is
 *   local time (`isAdjustedToUTC: false`); DECIMAL becomes a number; nested values
 *   (struct, list, map) become their JSON text; raw binary becomes base64.
 * - A file that does not end in the `PAR1` footer, or whose footer or pages cannot be
 *   decoded, is one `UserError` naming the file (and the rows, for a bad row group).
 */

import { open, stat } from "node:fs/promises";
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaTree,
} from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { UserError } from "../errors.js";
import { fileError } from "./file-errors.js";
import type { Cell, OpenTable, TableRow } from "./table-reader.js";

export interface ParquetReadOptions {
  /** Display name used in errors, default = path. */
  displayName?: string;
}

const FOOTER_MAGIC = "PAR1";
const REEXPORT_FIX =
  "Copy the file again completely, or re-write it with a current Parquet writer " +
  "(e.g. pandas `df.to_parquet(path)`), or convert it to CSV.";

export async function openParquet(path: string, opts: ParquetReadOptions = {}): Promise<OpenTable> {
  const name = opts.displayName ?? path;
  if (path.toLowerCase().endsWith(".gz")) {
    throw new UserError(
      `${name}: a gzip-compressed Parquet file cannot be read. Parquet compresses its data inside the file: ` +
        "gunzip it and use the .parquet file as it is.",
    );
  }
  return openFromAsyncBuffer(await fileBuffer(path, name), name);
}

/** For bytes already in memory, e.g. a file read from git at another commit. */
export async function openParquetFromBuffer(
  bytes: Uint8Array,
  opts: ParquetReadOptions & { displayName: string },
): Promise<OpenTable> {
  const buffer: AsyncBuffer = {
    byteLength: bytes.byteLength,
    slice(start, end) {
      const stop = Math.min(end ?? bytes.byteLength, bytes.byteLength);
      return bytes.buffer.slice(
        bytes.byteOffset + start,
        bytes.byteOffset + Math.max(start, stop),
      ) as ArrayBuffer;
    },
  };
  return openFromAsyncBuffer(buffer, opts.displayName);
}

async function openFromAsyncBuffer(file: AsyncBuffer, name: string): Promise<OpenTable> {
  const metadata = await readMetadata(file, name);
  const schema = parquetSchema(metadata);
  const columns = schema.children.map((child) => child.element.name);
  if (columns.length === 0) {
    throw new UserError(`${name}: the Parquet file has no columns. Write at least one column into it.`);
  }
  const localTime = schema.children.map((child) => {
    const logical = child.element.logical_type;
    return logical?.type === "TIMESTAMP" && !logical.isAdjustedToUTC;
  });
  let used = false;
  return {
    columns,
    rows: {
      [Symbol.asyncIterator]() {
        if (used) throw new Error(`rows of ${name} can only be iterated once`);
        used = true;
        return new ParquetRows(file, metadata, columns, localTime, name);
      },
    },
  };
}

async function readMetadata(file: AsyncBuffer, name: string): Promise<FileMetaData> {
  const size = file.byteLength;
  if (size === 0) {
    throw new UserError(`${name}: the file is empty, so it is not a valid Parquet file. ${REEXPORT_FIX}`);
  }
  const tail = size >= 4 ? new Uint8Array(await file.slice(size - 4, size)) : new Uint8Array(0);
  if (size < 12 || new TextDecoder().decode(tail) !== FOOTER_MAGIC) {
    throw new UserError(
      `${name}: not a valid Parquet file (truncated? footer missing). It is ${size} bytes and does not end ` +
        `with the Parquet footer "${FOOTER_MAGIC}". ${REEXPORT_FIX}`,
    );
  }
  try {
    const metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
    checkMetadata(metadata, file.byteLength);
    return metadata;
  } catch (err) {
    throw new UserError(
      `${name}: not a valid Parquet file (corrupt footer: ${messageOf(err)}). ${REEXPORT_FIX}`,
    );
  }
}

/**
 * Footer facts hyparquet trusts: checked here so that a damaged footer is one clear error
 * instead of a failed read later (a column chunk that matches no schema column would be
 * read without anyone awaiting it, an unhandled rejection).
 */
function checkMetadata(metadata: FileMetaData, size: number): void {
  const leaves = new Set<string>();
  const walk = (node: SchemaTree) => {
    if (node.children.length === 0) leaves.add(node.path.join("\u0000"));
    for (const child of node.children) walk(child);
  };
  for (const child of parquetSchema(metadata).children) walk(child);
  let rows = 0;
  metadata.row_groups.forEach((group, g) => {
    const groupRows = Number(group.num_rows);
    if (!Number.isSafeInteger(groupRows) || groupRows < 0)
      throw new Error(`row group ${g + 1} has ${groupRows} rows`);
    rows += groupRows;
    const seen = new Set<string>();
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const key = meta?.path_in_schema.join("\u0000");
      if (meta === undefined || key === undefined || !leaves.has(key) || seen.has(key)) {
        throw new Error(`row group ${g + 1} has a column chunk that does not match the schema`);
      }
      seen.add(key);
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 0 && end <= size)) {
        throw new Error(
          `row group ${g + 1}, column ${meta.path_in_schema.join(".")}: data lies outside the file`,
        );
      }
    }
    if (seen.size !== leaves.size) throw new Error(`row group ${g + 1} lacks some columns`);
  });
  if (rows !== Number(metadata.num_rows)) {
    throw new Error(`row groups hold ${rows} rows, the footer says ${metadata.num_rows}`);
  }
}

/** An AsyncBuffer over a file on disk: each slice opens, reads and closes, so nothing stays open. */
async function fileBuffer(path: string, name: string): Promise<AsyncBuffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new UserError(`${name}: is a directory, expected a data file. Point the path at a file.`);
    }
    size = info.size;
  } catch (err) {
    throw fileError(err, name);
  }
  return {
    byteLength: size,
    async slice(start, end) {
      const stop = Math.min(end ?? size, size);
      const out = new Uint8Array(Math.max(0, stop - start));
      if (out.length === 0) return out.buffer;
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, "r");
      } catch (err) {
        throw fileError(err, name);
      }
      try {
        let filled = 0;
        while (filled < out.length) {
          const { bytesRead } = await handle.read(out, filled, out.length - filled, start + filled);
          if (bytesRead === 0) break; // the file shrank under us: hand back what there is
          filled += bytesRead;
        }
        return filled === out.length ? out.buffer : out.slice(0, filled).buffer;
      } finally {
        await handle.close();
      }
    },
  };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\.$/, "");
}

// ---------------------------------------------------------------------------------
// Rows

/** Hands out the rows of one decoded row group at a time. */
class ParquetRows implements AsyncIterator<TableRow> {
  private group = -1;
  private groupStart = 0;
  private data: ArrayLike<unknown>[] = [];
  private size = 0;
  private at = 0;
  private nextStart = 0;

  constructor(
    private readonly file: AsyncBuffer,
    private readonly metadata: FileMetaData,
    private readonly columns: string[],
    private readonly localTime: boolean[],
    private readonly name: string,
  ) {}

  next(): Promise<IteratorResult<TableRow, undefined>> {
    if (this.at < this.size) return Promise.resolve({ done: false, value: this.take() });
    return this.refill();
  }

  async return(): Promise<IteratorResult<TableRow, undefined>> {
    this.release();
    this.group = this.metadata.row_groups.length;
    return { done: true, value: undefined };
  }

  private release(): void {
    this.data = [];
    this.size = 0;
    this.at = 0;
  }

  private take(): TableRow {
    const i = this.at++;
    const data = this.data;
    const values = new Array<Cell>(data.length);
    for (let c = 0; c < data.length; c++) values[c] = toCell(data[c]![i], this.localTime[c]!);
    return { line: this.groupStart + i + 1, values };
  }

  private async refill(): Promise<IteratorResult<TableRow, undefined>> {
    this.release();
    const groups = this.metadata.row_groups;
    while (++this.group < groups.length) {
      const rows = Number(groups[this.group]!.num_rows);
      const start = this.nextStart;
      this.nextStart += rows;
      if (rows === 0) continue;
      this.groupStart = start;
      this.data = await this.readGroup(start, rows);
      this.size = rows;
      return { done: false, value: this.take() };
    }
    return { done: true, value: undefined };
  }

  private async readGroup(start: number, rows: number): Promise<ArrayLike<unknown>[]> {
    const index = new Map(this.columns.map((c, i) => [c, i]));
    const pieces: { data: ArrayLike<unknown>; rowStart: number }[][] = this.columns.map(() => []);
    try {
      await parquetRead({
        file: this.file,
        metadata: this.metadata,
        rowStart: start,
        rowEnd: start + rows,
        compressors,
        parsers: PARSERS,
        onChunk: (chunk) => {
          const c = index.get(chunk.columnName);
          if (c !== undefined) pieces[c]!.push({ data: chunk.columnData, rowStart: chunk.rowStart });
        },
      });
    } catch (err) {
      this.release();
      const total = this.metadata.row_groups.length;
      throw new UserError(
        `${this.name}: rows ${start + 1}–${start + rows} (row group ${this.group + 1} of ${total}) cannot be read ` +
          `(${messageOf(err)}). The file may be corrupt or truncated, or use a Parquet feature mlgate cannot ` +
          `read. ${REEXPORT_FIX}`,
      );
    }
    return pieces.map((list, c) => {
      const only = list[0];
      if (only === undefined) {
        this.release();
        throw new UserError(
          `${this.name}: rows ${start + 1}–${start + rows}: column ${JSON.stringify(this.columns[c])} has no data ` +
            `in row group ${this.group + 1}. ${REEXPORT_FIX}`,
        );
      }
      if (list.length === 1 && only.rowStart === start && only.data.length === rows) return only.data;
      // Several pieces (or a piece reaching past the group): place each value at its row.
      const column = new Array<unknown>(rows).fill(null);
      for (const piece of list) {
        for (let i = 0; i < piece.data.length; i++) {
          const at = piece.rowStart - start + i;
          if (at >= 0 && at < rows) column[at] = piece.data[i];
        }
      }
      return column;
    });
  }
}

// ---------------------------------------------------------------------------------
// Values

/** Dates and timestamps as text at their stored precision; hyparquet's Date would drop µs/ns. */
const PARSERS = {
  timestampFromMilliseconds: (value: bigint) => formatEpoch(value, 1000n),
  timestampFromMicroseconds: (value: bigint) => formatEpoch(value, 1_000_000n),
  timestampFromNanoseconds: (value: bigint) => formatEpoch(value, 1_000_000_000n),
  dateFromDays: (days: number) => {
    const date = new Date(days * 86_400_000);
    return Number.isNaN(date.getTime()) ? String(days) : date.toISOString().slice(0, -14);
  },
};

/** ISO 8601 in UTC (`…Z`), fraction digits only when non-zero. */
export function formatEpoch(value: bigint, perSecond: bigint): string {
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return String(value);
  const digits = String(perSecond).length - 1;
  const fractionText = fraction === 0n ? "" : `.${String(fraction).padStart(digits, "0").replace(/0+$/, "")}`;
  return `${date.toISOString().slice(0, -5)}${fractionText}Z`;
}

function toCell(value: unknown, localTime: boolean): Cell {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "string":
      return localTime && value.endsWith("Z") ? value.slice(0, -1) : value;
    case "boolean":
      return value;
    case "bigint":
      return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : String(value);
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
      return JSON.stringify(value, jsonValue);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint")
    return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
