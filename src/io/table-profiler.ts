/**
 * Profile a table file and run its schema checks in one streaming pass, choosing the reader:
 *
 * - Uncompressed CSV/TSV with a one-byte delimiter: the byte scanner (`csv-scanner.ts`),
 *   split into byte ranges over worker threads for large files. Each range is profiled and
 *   checked on its own, then merged — the same profile-and-merge as `--shard i/n` over a
 *   GitHub Actions matrix. Ranges must tile the file (each starts where the previous one's
 *   parse ended); when a quoted line break defeats the boundary guess, the file is read
 *   again in one thread.
 * - Everything else (JSON Lines, gzip, Parquet, other delimiters), and any file where the
 *   scanner gives up: `openTable`, the reference reader. Its errors are the ones users see.
 *
 * Threads need rules that merge: `unique`, `unique_together` and `max_duplicate_row_share`
 * remember every value, so such files are read in one thread.
 */
import { closeSync, existsSync, fstatSync, openSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  createProfiler,
  mergeProfiles,
  type Profile,
  type ProfileSource,
  type SketchSettings,
  sketchSettings,
} from "../core/profile.js";
import {
  type CheckResult,
  createSchemaChecker,
  mergeCheckResults,
  type TableRules,
} from "../core/schema-check.js";
import { UserError } from "../errors.js";
import {
  findDataStart,
  guessRecordStart,
  type RangeResult,
  type ScanJob,
  scanCsvRange,
} from "./csv-scanner.js";
import { detectFormat, openTable, type TableFormat } from "./table-reader.js";

export interface TableProfileOptions {
  /** Name in errors and in the profile's source (the path as the user wrote it). */
  displayName: string;
  format?: TableFormat;
  delimiter?: string;
  /** Schema checks to run in the same pass. */
  rules?: TableRules;
  sketch?: Partial<SketchSettings>;
  /** Threads for a large CSV/TSV; default: the CPUs available (≤ 8), one per 32 MiB at least. */
  threads?: number;
  /** Profile only byte range `index` of `count` (0-based). CSV/TSV only; no schema checks. */
  shard?: { index: number; count: number };
}

export interface TableProfile {
  columns: string[];
  rows: number;
  profile: Profile;
  /** Empty for a shard. */
  checks: CheckResult[];
  reader: "fast" | "reference";
  threads: number;
  /** Why the fast path was not used or not split, when it was not. */
  note: string | null;
}

const BYTES_PER_THREAD = 32 * 1024 * 1024;
const MAX_THREADS = 8;

export async function profileTable(path: string, opts: TableProfileOptions): Promise<TableProfile> {
  const name = opts.displayName;
  const format = opts.format ?? detectFormat(name);
  const delimiter = opts.delimiter ?? (format === "tsv" ? "\t" : ",");
  const rules = opts.rules ?? { columns: {} };
  const readOpts = {
    format,
    displayName: name,
    ...(opts.delimiter !== undefined && { delimiter: opts.delimiter }),
  };
  // The reference reader checks the header and reports a missing or empty file.
  const head = await openTable(path, readOpts);
  await head.rows[Symbol.asyncIterator]().return?.();
  const columns = head.columns;
  createSchemaChecker(opts.shard ? { columns: {} } : rules, columns); // rule errors (bad regex) first

  const fast =
    (format === "csv" || format === "tsv") &&
    !/\.gz$/i.test(path) &&
    delimiter.length === 1 &&
    delimiter.charCodeAt(0) < 0x80;
  if (opts.shard) {
    if (!fast) {
      throw new UserError(
        `${name}: --shard splits uncompressed CSV/TSV files by byte ranges; this file is ${/\.gz$/i.test(path) ? "gzip-compressed" : format}` +
          `${fast ? "" : delimiter.length === 1 && delimiter.charCodeAt(0) >= 0x80 ? " with a non-ASCII delimiter" : ""}. ` +
          "Profile it whole (without --shard).",
      );
    }
    return profileShard(path, name, format, delimiter.charCodeAt(0), columns, opts);
  }
  if (!fast) {
    return {
      ...(await profileWithReference(path, readOpts, rules, opts.sketch)),
      note: `${format} file: reference reader`,
    };
  }

  const fd = openSync(path, "r");
  let note: string | null = null;
  try {
    const size = fstatSync(fd).size;
    const settings = sketchSettings(opts.sketch);
    const source: ProfileSource = { name, format, bytes: size, shard: null };
    const base = { path, delimiter: delimiter.charCodeAt(0), columns, rules, sketch: settings };
    const checker = createSchemaChecker(rules, columns);
    let threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(size), MAX_THREADS));
    if (threads > 1 && !checker.mergeable) {
      threads = 1;
      note = "uniqueness rules: one thread";
    }
    const worker = workerUrl();
    if (threads > 1 && worker === null) {
      threads = 1;
      note = "no bundled worker (running from sources): one thread";
    }
    if (threads > 1) {
      const split = await scanInRanges(fd, { ...base, source }, size, threads, (job) =>
        runWorker(worker!, job),
      );
      if (split.ok) return { ...split.result, columns, reader: "fast", threads, note };
      note = split.reason;
    }
    const whole = scanCsvRange(fd, { ...base, source, start: 0, stop: size, firstLine: 1 });
    if (whole.bailed === null) {
      return {
        columns,
        rows: whole.rows,
        profile: whole.profile,
        checks: whole.checks,
        reader: "fast",
        threads: 1,
        note,
      };
    }
    note = `fast path gave up (${whole.bailed}): reference reader`;
  } finally {
    closeSync(fd);
  }
  return { ...(await profileWithReference(path, readOpts, rules, opts.sketch)), note };
}

export function defaultThreads(bytes: number): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS, Math.floor(bytes / BYTES_PER_THREAD)));
}

/** The worker script bundled next to this code (dist/profile-worker.js), or null. */
function workerUrl(): URL | null {
  const url = new URL("./profile-worker.js", import.meta.url);
  try {
    return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

async function profileWithReference(
  path: string,
  readOpts: { format: TableFormat; displayName: string; delimiter?: string },
  rules: TableRules,
  sketch: Partial<SketchSettings> | undefined,
): Promise<Omit<TableProfile, "note">> {
  const table = await openTable(path, readOpts);
  const bytes = statSync(path).size;
  const profiler = createProfiler(table.columns, {
    ...(sketch && { sketch }),
    source: { name: readOpts.displayName, format: readOpts.format, bytes, shard: null },
  });
  const checker = createSchemaChecker(rules, table.columns);
  let rows = 0;
  for await (const row of table.rows) {
    profiler.add(row.values);
    checker.add(row);
    rows++;
  }
  return {
    columns: table.columns,
    rows,
    profile: profiler.finish(),
    checks: checker.finish(),
    reader: "reference",
    threads: 1,
  };
}

export type BaseJob = Omit<ScanJob, "start" | "stop" | "firstLine">;

/** Nominal range starts: the data bytes after the header cut in `count` equal parts. */
function nominalStarts(dataStart: number, size: number, count: number): number[] {
  return Array.from({ length: count + 1 }, (_, i) =>
    i === count ? size : dataStart + Math.floor(((size - dataStart) * i) / count),
  );
}

/**
 * Profiles a CSV in `threads` byte ranges — the first in this thread, the others through
 * `runRange` (a worker) — and merges them; `ok: false` when the ranges do not tile the file
 * (a quoted line break at a cut) or the scanner gave up.
 */
export async function scanInRanges(
  fd: number,
  base: BaseJob,
  size: number,
  threads: number,
  runRange: (job: ScanJob) => Promise<RangeResult>,
): Promise<
  | { ok: true; result: Omit<TableProfile, "columns" | "reader" | "threads" | "note"> }
  | { ok: false; reason: string }
> {
  const header = findDataStart(fd, base);
  if (header === null) return { ok: false, reason: "header not scanned: one thread" };
  const nominal = nominalStarts(header.offset, size, threads);
  const jobs: ScanJob[] = Array.from({ length: threads }, (_, i) => ({
    ...base,
    start: i === 0 ? 0 : guessRecordStart(fd, nominal[i]!, size),
    stop: nominal[i + 1]!,
    firstLine: 1,
  }));
  const pending = jobs.slice(1).map(runRange);
  let results: RangeResult[];
  try {
    const first = scanCsvRange(fd, jobs[0]!);
    results = [first, ...(await Promise.all(pending))];
  } catch (err) {
    await Promise.allSettled(pending);
    throw err;
  }
  const bailed = results.find((r) => r.bailed !== null);
  if (bailed) return { ok: false, reason: `a range gave up (${bailed.bailed}): one thread` };
  for (let i = 1; i < results.length; i++) {
    if (results[i]!.start !== results[i - 1]!.end) {
      return { ok: false, reason: "a quoted line break near a range boundary: one thread" };
    }
  }
  // Shift rows and lines of later ranges to whole-file numbers, then merge.
  let rowOffset = 0;
  let line = 1;
  const parts = results.map((r, i) => {
    const shift = { rows: rowOffset, lines: line - 1 };
    rowOffset += r.rows;
    line += r.lineBreaks;
    const checks =
      i === 0
        ? r.checks
        : r.checks.map((c) => ({
            ...c,
            samples: c.samples.map((s) => ({ ...s, row: s.row + shift.rows, line: s.line + shift.lines })),
          }));
    const profile: Profile = {
      ...r.profile,
      source: {
        ...r.profile.source,
        shard: { count: threads, ranges: [{ index: i, start: r.start, end: r.end }] },
      },
    };
    return { checks, rows: r.rows, profile };
  });
  const profile = mergeProfiles(parts.map((p) => p.profile));
  return {
    ok: true,
    result: {
      rows: rowOffset,
      profile,
      checks: mergeCheckResults(base.rules ?? { columns: {} }, base.columns, parts),
    },
  };
}

function runWorker(url: URL, job: ScanJob): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: job });
    let done = false;
    worker.once("message", (result: RangeResult) => {
      done = true;
      resolve(result);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!done) reject(new Error(`profile worker exited with code ${code} before answering`));
    });
  });
}

async function profileShard(
  path: string,
  name: string,
  format: TableFormat,
  delimiter: number,
  columns: string[],
  opts: TableProfileOptions,
): Promise<TableProfile> {
  const { index, count } = opts.shard!;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new UserError(
      `--shard ${index}/${count}: expected i/n with 0 ≤ i < n, e.g. --shard 0/4 … --shard 3/4 for four shards.`,
    );
  }
  const fd = openSync(path, "r");
  let result: RangeResult;
  try {
    const size = fstatSync(fd).size;
    const base = { path, delimiter, columns, rules: null, sketch: sketchSettings(opts.sketch) };
    const header = findDataStart(fd, base);
    if (header === null) return failShard(path, name, format, opts);
    const nominal = nominalStarts(header.offset, size, count);
    const job: ScanJob = {
      ...base,
      source: { name, format, bytes: size, shard: null },
      start: index === 0 ? 0 : guessRecordStart(fd, nominal[index]!, size),
      stop: nominal[index + 1]!,
      firstLine: 1,
    };
    result = scanCsvRange(fd, job);
  } finally {
    closeSync(fd);
  }
  if (result.bailed !== null) return failShard(path, name, format, opts);
  const profile: Profile = {
    ...result.profile,
    source: {
      ...result.profile.source,
      shard: { count, ranges: [{ index, start: result.start, end: result.end }] },
    },
  };
  return { columns, rows: result.rows, profile, checks: [], reader: "fast", threads: 1, note: null };
}

/** A shard the scanner could not read: the reference reader names the error in the file, if any. */
async function failShard(
  path: string,
  name: string,
  format: TableFormat,
  opts: TableProfileOptions,
): Promise<never> {
  await profileWithReference(
    path,
    { format, displayName: name, ...(opts.delimiter && { delimiter: opts.delimiter }) },
    { columns: {} },
    opts.sketch,
  );
  const { index, count } = opts.shard!;
  throw new UserError(
    `${name}: shard ${index}/${count} does not start at a record boundary (a quoted field holds a line break ` +
      "across the nominal cut). Profile this file with fewer shards or without --shard.",
  );
}
