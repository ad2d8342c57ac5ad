/**
 * `mlgate drift REFERENCE CURRENT`: drift between two data files, two stored
 * profiles, or one of each (PRODUCT.md §3, §3.1). Raw data gives exact tests
 * (equal to SciPy's); a profile side says which approximation it used.
 */

import { open } from "node:fs/promises";
import { type CollectedColumn, createSampleCollector } from "../core/column-samples.js";
import { compareSides, type DatasetDriftResult, type SideColumn } from "../core/dataset-drift.js";
import type { ColumnSample, DriftMethod } from "../core/drift.js";
import { type Cell, columnSampleFromProfile, type Profile } from "../core/profile.js";
import { openTable } from "../io/table-reader.js";
import { type CommandContext, resolveIn } from "./context.js";
import { readProfileFile } from "./profile.js";

export interface DriftResult extends DatasetDriftResult {
  command: "drift";
  reference: string;
  current: string;
}

export interface DriftOptions {
  reference: string;
  current: string;
  columns?: string[];
  method?: "auto" | DriftMethod;
  threshold?: number;
  share?: number;
}

export async function driftFiles(ctx: CommandContext, opts: DriftOptions): Promise<DriftResult> {
  const done = ctx.log.step(`drift ${opts.reference} → ${opts.current}`);
  const reference = await loadSide(resolveIn(ctx.root, opts.reference), opts.reference);
  const current = await loadSide(resolveIn(ctx.root, opts.current), opts.current);
  const result = compareSides(reference, current, {
    columns: opts.columns ?? "all",
    method: opts.method ?? "auto",
    ...(opts.threshold !== undefined && { threshold: opts.threshold }),
    share: opts.share ?? 0.5,
  });
  done();
  return { command: "drift", reference: opts.reference, current: opts.current, ...result };
}

async function loadSide(path: string, name: string): Promise<Map<string, SideColumn>> {
  if (await isProfileFile(path)) return sideFromProfile(readProfileFile(path));
  return sideFromRows(await openTable(path, { displayName: name }));
}

/** Exact samples from raw rows (used for files and for a dataset at another commit). */
async function sideFromRows(table: { columns: string[]; rows: AsyncIterable<{ values: Cell[] }> }) {
  const collector = createSampleCollector(table.columns);
  for await (const row of table.rows) collector.add(row.values);
  return sideFromCollected(collector.finish());
}

export function sideFromCollected(columns: CollectedColumn[]): Map<string, SideColumn> {
  return new Map(
    columns.map(({ name, sample, note }) => [
      name,
      {
        numeric: sample?.kind === "numeric" ? sample : null,
        categorical: () => (sample?.kind === "numeric" ? numbersAsCategories(sample) : sample),
        approximation: null,
        note,
      },
    ]),
  );
}

export function sideFromProfile(profile: Profile): Map<string, SideColumn> {
  return new Map(
    profile.columns.map((col) => {
      const numeric = col.kind === "numeric" ? columnSampleFromProfile(col, "numeric", profile.sketch) : null;
      const categorical = () => columnSampleFromProfile(col, "categorical", profile.sketch);
      const used = numeric ?? categorical();
      return [
        col.name,
        { numeric, categorical, approximation: used.exact ? null : used.approximation, note: null },
      ];
    }),
  );
}

function numbersAsCategories(sample: ColumnSample & { kind: "numeric" }): ColumnSample {
  const counts = new Map<string, number>();
  for (const x of sample.values) counts.set(String(x), (counts.get(String(x)) ?? 0) + 1);
  return { kind: "categorical", counts };
}

/** A profile is JSON whose first bytes name the profile schema; anything else is read as data. */
async function isProfileFile(path: string): Promise<boolean> {
  if (!/\.json$/i.test(path)) return false;
  const file = await open(path).catch(() => undefined);
  if (!file) return false;
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString("utf8").includes('"mlgate.profile/');
  } finally {
    await file.close();
  }
}
