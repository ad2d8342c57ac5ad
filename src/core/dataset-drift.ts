/**
 * Drift of a whole dataset from per-column samples of both sides (raw data
 * or stored profiles): picks the columns, reconciles each column's kind, runs
 * `columnDrift`, and gives the dataset verdict (PRODUCT.md §3.1).
 */
import { UserError } from "../errors.js";
import { type ColumnDrift, type ColumnSample, columnDrift, type DriftMethod, datasetDrift } from "./drift.js";

/** One column of one side: a numeric sample can also be read as categories when the other side needs it. */
export interface SideColumn {
  numeric: ColumnSample | null;
  categorical: () => ColumnSample | null;
  /** Set when the sample is not the exact data (a sketch), saying how. */
  approximation: string | null;
  /** Why the column has no sample. */
  note: string | null;
}

export interface DriftColumnResult extends ColumnDrift {
  approximation?: string;
}

export interface DatasetDriftResult {
  columns: DriftColumnResult[];
  skipped: { name: string; reason: string }[];
  drifted_columns: number;
  share_drifted: number;
  dataset_drifted: boolean;
}

export interface DatasetDriftOptions {
  columns: "all" | string[];
  method: "auto" | DriftMethod;
  threshold?: number;
  share: number;
}

export function compareSides(
  reference: Map<string, SideColumn>,
  current: Map<string, SideColumn>,
  opts: DatasetDriftOptions,
): DatasetDriftResult {
  const names = opts.columns === "all" ? [...current.keys()].filter((c) => reference.has(c)) : opts.columns;
  const columns: DriftColumnResult[] = [];
  const skipped: { name: string; reason: string }[] = [];
  if (opts.columns === "all") {
    for (const c of current.keys())
      if (!reference.has(c)) skipped.push({ name: c, reason: "only in the current data" });
    for (const c of reference.keys())
      if (!current.has(c)) skipped.push({ name: c, reason: "only in the reference" });
  }
  for (const name of names) {
    const ref = reference.get(name);
    const cur = current.get(name);
    if (!ref || !cur) {
      skipped.push({ name, reason: ref ? "not in the current data" : "not in the reference" });
      continue;
    }
    const bothNumeric = ref.numeric !== null && cur.numeric !== null;
    const refSample = bothNumeric ? ref.numeric : ref.categorical();
    const curSample = bothNumeric ? cur.numeric : cur.categorical();
    if (!refSample || !curSample) {
      skipped.push({ name, reason: (refSample ? cur.note : ref.note) ?? "no sample" });
      continue;
    }
    if (opts.columns === "all" && refSample.kind === "categorical" && looksLikeIdentifier(refSample.counts)) {
      skipped.push({
        name,
        reason: "mostly distinct text (an id, a date or free text); name it in drift columns to test it",
      });
      continue;
    }
    let result: DriftColumnResult;
    try {
      result = columnDrift(name, refSample, curSample, {
        method: opts.method,
        ...(opts.threshold !== undefined && { threshold: opts.threshold }),
      });
    } catch (e) {
      // an explicit method that cannot apply to this column (e.g. ks on categories)
      if (!(e instanceof UserError)) throw e;
      skipped.push({ name, reason: e.message });
      continue;
    }
    const approximation = [
      ref.approximation && `reference: ${ref.approximation}`,
      cur.approximation && `current: ${cur.approximation}`,
    ]
      .filter(Boolean)
      .join("; ");
    if (approximation) result.approximation = approximation;
    columns.push(result);
  }
  return { columns, skipped, ...datasetDrift(columns, opts.share) };
}

/** Evidently leaves ids, dates and free text out of dataset drift; so do we when columns are "all". */
function looksLikeIdentifier(counts: Map<string, number>): boolean {
  let total = 0;
  for (const n of counts.values()) total += n;
  return counts.size > 20 && counts.size > 0.5 * total;
}
