/**
 * `mlgate validate-data`: stream each dataset through its schema checks and
 * compare its shape with the same path at the base commit (PRODUCT.md §3).
 */
import { type DatasetConfig, DatasetSchema, type DatasetSchemaConfig } from "../config.js";
import { createSampleCollector } from "../core/column-samples.js";
import { compareSides, type DatasetDriftResult } from "../core/dataset-drift.js";
import { createSchemaInferrer } from "../core/infer-schema.js";
import { diffRows, type RowDiff } from "../core/row-diff.js";
import { type CheckResult, type ColumnType, createSchemaChecker } from "../core/schema-check.js";
import { UserError } from "../errors.js";
import type { Git } from "../io/git.js";
import { sha256File } from "../io/hash.js";
import {
  detectFormat,
  type OpenTable,
  openTable,
  openTableFromBuffer,
  type TableReadOptions,
} from "../io/table-reader.js";
import { readYamlFile } from "../io/yaml-file.js";
import { type CommandContext, gitOf, readConfig, resolveIn, resultsOf } from "./context.js";
import { sideFromCollected } from "./drift.js";

export interface DataDiff {
  base_commit: string;
  /** false when the file did not exist at the base commit. */
  in_base: boolean;
  rows_before: number | null;
  rows_after: number;
  columns_added: string[];
  columns_removed: string[];
  /** Columns on both sides whose inferred type changed (infer-schema's rules). */
  columns_retyped: { column: string; before: ColumnType; after: ColumnType }[];
  /** Row-level diff by the dataset's key (or by row hash); null when the file is new. */
  rows: RowDiff | null;
  /** Drift of the head data vs the base commit's (unless the dataset says `drift: false`). */
  drift: DatasetDriftResult | null;
}

export interface DatasetResult {
  name: string;
  path: string;
  sha256: string;
  rows: number;
  columns: string[];
  checks: CheckResult[];
  failed: number;
  diff: DataDiff | null;
}

export interface DataResult {
  command: "validate-data";
  /** The commit validated (null for the standalone form). */
  commit: string | null;
  ok: boolean;
  failed_checks: number;
  datasets: DatasetResult[];
}

/** Standalone: one file against a `--schema` YAML file (same shape as a dataset's `schema:` block). */
export async function validateFile(file: string, schemaFile: string): Promise<DataResult> {
  const schema = readYamlFile(schemaFile, DatasetSchema);
  const dataset = await checkTable(file, file, schema, {});
  return summarize([{ name: file, path: file, ...dataset, diff: null }], null);
}

export async function validateDatasets(
  ctx: CommandContext,
  opts: { dataset?: string; base?: string } = {},
): Promise<DataResult> {
  const config = readConfig(ctx);
  const datasets = config.datasets.filter((d) => opts.dataset === undefined || d.name === opts.dataset);
  if (opts.dataset !== undefined && datasets.length === 0) {
    throw new UserError(`validate-data: no dataset "${opts.dataset}" in ${ctx.configPath}.`);
  }
  const git = gitOf(ctx);
  const baseCommit = await baseCommitFor(git, opts.base);
  const results: DatasetResult[] = [];
  for (const d of datasets) {
    const done = ctx.log.step(`validate ${d.name} (${d.path})`);
    const path = resolveIn(ctx.root, d.path);
    const checked = await checkTable(path, d.path, d.schema, readOptions(d));
    const diff = baseCommit ? await diffWithBase(git, baseCommit, d, path, checked) : null;
    results.push({ name: d.name, path: d.path, ...checked, diff });
    done();
  }
  const result = summarize(results, (await git.isRepo()) ? await git.head() : null);
  await resultsOf(ctx).write("validate-data", result);
  return result;
}

/** Passes rows through, calling `see` on each. */
async function* tap<T>(rows: AsyncIterable<T>, see: (row: T) => void): AsyncGenerator<T> {
  for await (const row of rows) {
    see(row);
    yield row;
  }
}

function summarize(datasets: DatasetResult[], commit: string | null): DataResult {
  const failed = datasets.reduce((n, d) => n + d.failed, 0);
  return { command: "validate-data", commit, ok: failed === 0, failed_checks: failed, datasets };
}

function readOptions(d: DatasetConfig): TableReadOptions {
  return {
    displayName: d.path,
    ...(d.format && { format: d.format }),
    ...(d.delimiter && { delimiter: d.delimiter }),
  };
}

async function checkTable(
  path: string,
  displayName: string,
  schema: DatasetSchemaConfig | undefined,
  opts: TableReadOptions,
): Promise<Omit<DatasetResult, "name" | "path" | "diff">> {
  const table = await openTable(path, { ...opts, displayName });
  const checker = createSchemaChecker(schema ?? { columns: {} }, table.columns);
  let rows = 0;
  for await (const row of table.rows) {
    checker.add(row);
    rows++;
  }
  const checks = checker.finish();
  return {
    sha256: await sha256File(path),
    rows,
    columns: table.columns,
    checks,
    failed: checks.filter((c) => !c.ok).length,
  };
}

async function baseCommitFor(git: Git, base: string | undefined): Promise<string | undefined> {
  if (!(await git.isRepo())) return undefined;
  const ref = base ?? (await git.defaultBranch());
  if (!ref) return undefined;
  const head = await git.head();
  const mergeBase = await git.mergeBase(head, ref);
  // on the base branch itself, the previous commit is the base
  return mergeBase === head ? git.resolve(`${head}^`) : mergeBase;
}

async function diffWithBase(
  git: Git,
  commit: string,
  d: DatasetConfig,
  headPath: string,
  head: { rows: number; columns: string[] },
): Promise<DataDiff> {
  const bytes = await git.show(commit, d.path);
  const diff: DataDiff = {
    base_commit: commit,
    in_base: bytes !== undefined,
    rows_before: null,
    rows_after: head.rows,
    columns_added: [],
    columns_removed: [],
    columns_retyped: [],
    rows: null,
    drift: null,
  };
  if (!bytes) return diff;
  const openBase = () =>
    openTableFromBuffer(bytes, {
      format: detectFormat(d.path),
      ...readOptions(d),
      displayName: `${d.path}@${commit.slice(0, 7)}`,
    });
  const before: OpenTable = await openBase();
  const after = await openTable(headPath, { ...readOptions(d), displayName: d.path });
  // one pass over each side feeds the row diff, the base row count and the type comparison
  let baseTypes = createSchemaInferrer(before.columns);
  let headTypes = createSchemaInferrer(after.columns);
  let baseSamples = createSampleCollector(before.columns);
  let headSamples = createSampleCollector(after.columns);
  const key = d.key === undefined ? null : Array.isArray(d.key) ? d.key : [d.key];
  diff.rows = await diffRows(
    {
      columns: before.columns,
      rows: tap(before.rows, (row) => {
        baseTypes.add(row);
        baseSamples.add(row.values);
      }),
    },
    {
      columns: after.columns,
      rows: tap(after.rows, (row) => {
        headTypes.add(row);
        headSamples.add(row.values);
      }),
    },
    key,
  );
  if (diff.rows.skipped) {
    // the diff stopped early: redo the base and head passes on their own
    baseTypes = createSchemaInferrer(before.columns);
    headTypes = createSchemaInferrer(after.columns);
    baseSamples = createSampleCollector(before.columns);
    headSamples = createSampleCollector(after.columns);
    for await (const row of (await openBase()).rows) {
      baseTypes.add(row);
      baseSamples.add(row.values);
    }
    for await (const row of (await openTable(headPath, { ...readOptions(d), displayName: d.path })).rows) {
      headTypes.add(row);
      headSamples.add(row.values);
    }
  }
  const typesBefore = baseTypes.finish();
  const typesAfter = headTypes.finish();
  diff.rows_before = typesBefore.rows;
  diff.columns_retyped = after.columns
    .filter((c) => before.columns.includes(c))
    .map((c) => ({
      column: c,
      before: typesBefore.schema.columns[c]?.type,
      after: typesAfter.schema.columns[c]?.type,
    }))
    .filter(
      (t): t is { column: string; before: ColumnType; after: ColumnType } =>
        t.before !== undefined && t.after !== undefined && t.before !== t.after,
    );
  if (d.drift !== false) {
    const settings = d.drift ?? { method: "auto" as const, columns: "all" as const, dataset_share: 0.5 };
    const keyColumns = new Set(key ?? []);
    const reference = sideFromCollected(baseSamples.finish());
    const current = sideFromCollected(headSamples.finish());
    for (const k of keyColumns) {
      reference.delete(k);
      current.delete(k);
    }
    diff.drift = compareSides(reference, current, {
      columns: settings.columns,
      method: settings.method,
      ...(settings.threshold !== undefined && { threshold: settings.threshold }),
      share: settings.dataset_share,
    });
  }
  diff.columns_added = head.columns.filter((c) => !before.columns.includes(c));
  diff.columns_removed = before.columns.filter((c) => !head.columns.includes(c));
  return diff;
}
