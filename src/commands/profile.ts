/**
 * `mlgate profile` and `mlgate merge-profiles` (PRODUCT.md §3, §9): write a mergeable
 * profile of a dataset (or of one byte-range shard of it), and merge shard profiles into
 * the profile of the whole file.
 *
 * `--shard i/n` profiles the records that start in byte range i of n of the file's data
 * (after the header); ranges are cut at line breaks and checked for consistency when the
 * shards are merged, so `merge-profiles` of all n shards equals `profile` of the file
 * within the sketches' bounds (exactly for counts, nulls, min/max and kept values).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { mergeProfiles, type Profile, profileToJson } from "../core/profile.js";
import { parseProfile } from "../core/profile-schema.js";
import type { CheckResult } from "../core/schema-check.js";
import { UserError } from "../errors.js";
import { profileTable, type TableProfileOptions } from "../io/table-profiler.js";
import { type CommandContext, readConfig, resolveIn } from "./context.js";

export interface ProfileResult {
  command: "profile";
  /** The dataset's name in the config, or null for a file given directly. */
  dataset: string | null;
  path: string;
  out: string;
  rows: number;
  columns: number;
  shard: { index: number; count: number } | null;
  /** "fast": the byte scanner; "reference": the streaming reader (JSONL, gzip, Parquet, …). */
  reader: "fast" | "reference";
  threads: number;
  /** The dataset schema's checks, run in the same pass (none for a file or a shard). */
  checks: CheckResult[];
  failed_checks: number;
  note: string | null;
}

export interface MergeProfilesResult {
  command: "merge-profiles";
  inputs: string[];
  out: string;
  rows: number;
  columns: number;
  /** True when the inputs together cover the whole file (every shard 0..n-1). */
  complete: boolean;
}

export async function profileDataset(
  ctx: CommandContext,
  opts: {
    dataset?: string;
    file?: string;
    shard?: { index: number; count: number };
    out: string;
    threads?: number;
  },
): Promise<ProfileResult> {
  if ((opts.dataset === undefined) === (opts.file === undefined)) {
    throw new UserError(
      "profile: name either a dataset from the config (--dataset NAME) or a file (mlgate profile FILE), not both.",
    );
  }
  let path: string;
  let displayName: string;
  const tableOpts: Partial<TableProfileOptions> = {};
  if (opts.dataset !== undefined) {
    const config = readConfig(ctx);
    const d = config.datasets.find((x) => x.name === opts.dataset);
    if (d === undefined) {
      const names = config.datasets.map((x) => x.name).join(", ") || "none";
      throw new UserError(`profile: no dataset "${opts.dataset}" in ${ctx.configPath} (datasets: ${names}).`);
    }
    path = resolveIn(ctx.root, d.path);
    displayName = d.path;
    if (d.format) tableOpts.format = d.format;
    if (d.delimiter) tableOpts.delimiter = d.delimiter;
    if (d.schema && !opts.shard) tableOpts.rules = d.schema;
  } else {
    path = resolveIn(ctx.root, opts.file!);
    displayName = opts.file!;
  }
  const done = ctx.log.step(
    `profile ${displayName}${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : ""}`,
  );
  const result = await profileTable(path, {
    ...tableOpts,
    displayName,
    ...(opts.shard && { shard: opts.shard }),
    ...(opts.threads !== undefined && { threads: opts.threads }),
  });
  const out = resolveIn(ctx.root, opts.out);
  writeProfileFile(out, result.profile);
  done();
  return {
    command: "profile",
    dataset: opts.dataset ?? null,
    path: displayName,
    out: opts.out,
    rows: result.rows,
    columns: result.columns.length,
    shard: opts.shard ?? null,
    reader: result.reader,
    threads: result.threads,
    checks: result.checks,
    failed_checks: result.checks.filter((c) => !c.ok).length,
    note: result.note,
  };
}

export async function mergeProfileFiles(files: string[], out: string): Promise<MergeProfilesResult> {
  if (files.length === 0) {
    throw new UserError(
      "merge-profiles: no profile files given, e.g. mlgate merge-profiles p0.json p1.json --out all.json",
    );
  }
  const merged = mergeProfiles(files.map(readProfileFile), files);
  writeProfileFile(out, merged);
  return {
    command: "merge-profiles",
    inputs: files,
    out,
    rows: merged.rows,
    columns: merged.columns.length,
    complete: merged.source.shard === null,
  };
}

/** Reads and validates a profile JSON file (UserError naming the file on any problem). */
export function readProfileFile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === "ENOENT"
        ? `${path}: profile file not found. Write one with mlgate profile.`
        : `${path}: cannot read the profile (${code ?? String(err)}).`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `${path}: not JSON (${err instanceof Error ? err.message : String(err)}). A profile is the JSON file mlgate profile writes.`,
    );
  }
  return parseProfile(data, path);
}

/** Writes through a temporary file and a rename, so a crash never leaves half a profile. */
function writeProfileFile(path: string, profile: Profile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, profileToJson(profile));
  renameSync(temp, path);
}
