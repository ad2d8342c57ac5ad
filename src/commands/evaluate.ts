/**
 * `mlgate evaluate`: metrics from a predictions file, per slice, compared
 * with the baselines' metrics (PRODUCT.md §3, §3.1).
 */

import { join } from "node:path";
import type { ModelConfig } from "../config.js";
import { delongAuc } from "../core/delong.js";
import { type BaselineRef, compareMetrics, type MetricRow, type Significance } from "../core/gates.js";
import type { PredictionDetails } from "../core/metrics.js";
import {
  type PredictionColumns,
  type PredictionOptions,
  type PreparedPredictions,
  preparePredictions,
  type Task,
} from "../core/prediction-table.js";
import { bootstrapIntervals, pairedComparison } from "../core/uncertainty.js";
import { UserError } from "../errors.js";
import { sha256 } from "../io/hash.js";
import { readMetricsFile } from "../io/metrics-file.js";
import { type Cell, readColumns } from "../io/table-reader.js";
import type { Registry } from "../registry/registry.js";
import { type Baselines, findBaselines, gateBaseline } from "./baselines.js";
import {
  type CommandContext,
  gitOf,
  pickModels,
  readConfig,
  registryOf,
  resolveIn,
  resultsOf,
} from "./context.js";

export interface SliceResult {
  value: string;
  n: number;
  metrics: Record<string, number | null>;
  /** Gated metrics that got worse in this slice than the gate allows (vs the baseline's predictions). */
  regressions?: { metric: string; baseline: number | null; current: number | null }[];
}

export interface Evaluation {
  task: Task;
  n: number;
  metrics: Record<string, number | null>;
  notes: string[];
  /** Percentile bootstrap intervals of each metric (seeded; see README). */
  ci: Record<string, [number, number]>;
  /** Confusion matrix, per-class scores and calibration (classification). */
  details: PredictionDetails | null;
  /** Binary ROC AUC with DeLong's variance and interval (Sun & Xu 2014). */
  delong: { roc_auc: number; variance: number; ci: [number, number] } | null;
  slices: Record<string, SliceResult[]>;
  /** sha256 of the evaluation set's labels (and ids, when present): equal fingerprints = same eval set. */
  fingerprint: string;
}

export interface ModelEvaluation extends Evaluation {
  command: "evaluate";
  model: string;
  commit: string;
  predictions_path: string;
  baselines: Baselines;
  /** The rows against the gate baseline (production, else base branch). */
  comparison: MetricRow[];
  /** Whether the paired tests ran against the gate baseline's predictions, and if not, why. */
  paired: { comparable: boolean; reason: string | null };
}

export interface EvaluationSettings {
  resamples: number;
  confidence: number;
  /** Seeds the bootstrap; the commit SHA, so reruns agree. */
  seed: string;
}

export interface StandaloneEvaluateOptions extends Omit<PredictionOptions, "file"> {
  predictions: string;
  slices?: string[];
}

/** The standalone form: no config, no git, one file. */
export async function evaluateFile(
  opts: StandaloneEvaluateOptions & { resamples?: number; seed?: string; labels?: LabelsSource },
): Promise<Evaluation> {
  const { predictions, slices = [], resamples = 1000, seed = "mlgate", labels, ...prediction } = opts;
  const loaded = await loadPredictions(predictions, { ...prediction, file: predictions }, slices, labels);
  return summarizePredictions(loaded, { resamples, confidence: 0.95, seed });
}

interface LoadedPredictions {
  data: PredictionColumns;
  opts: PredictionOptions;
  prepared: PreparedPredictions;
  slices: string[];
}

export interface LabelsSource {
  /** A file holding the labels, joined to the predictions by `id`. */
  path: string;
  displayName: string;
  id: string;
}

async function loadPredictions(
  path: string,
  opts: PredictionOptions,
  slices: string[],
  labels?: LabelsSource,
): Promise<LoadedPredictions> {
  const table = await readColumns(path, { displayName: opts.file });
  if (labels) table.data[opts.label] = await joinLabels(table.data, opts, labels);
  for (const column of slices) {
    if (!(column in table.data)) {
      throw new UserError(
        `${opts.file}: slice column "${column}" is not in the predictions file (columns: ${table.columns.join(", ")}). Fix: write it to the predictions file or remove it from slices.`,
      );
    }
  }
  return { data: table.data, opts, prepared: preparePredictions(table.data, opts), slices };
}

/** The label column from another file, in the predictions' row order, matched by the id column. */
async function joinLabels(
  data: PredictionColumns,
  opts: PredictionOptions,
  labels: LabelsSource,
): Promise<Cell[]> {
  const ids = data[labels.id];
  if (!ids) {
    throw new UserError(
      `${opts.file}: id column "${labels.id}" is not in the predictions file. Fix: write it, or name the id column.`,
    );
  }
  const table = await readColumns(labels.path, { displayName: labels.displayName });
  const labelIds = table.data[labels.id];
  const values = table.data[opts.label];
  if (!labelIds || !values) {
    throw new UserError(
      `${labels.displayName}: expected columns "${labels.id}" and "${opts.label}", got ${table.columns.join(", ")}. Fix: name the id and label columns.`,
    );
  }
  const byId = new Map<string, Cell>();
  labelIds.forEach((id, i) => {
    byId.set(String(id), values[i] ?? null);
  });
  return ids.map((id, row) => {
    const label = byId.get(String(id));
    if (label === undefined) {
      throw new UserError(
        `${opts.file}:line ${row + 2}: id ${JSON.stringify(String(id))} has no label in ${labels.displayName}. Fix: add it there, or remove the prediction.`,
      );
    }
    return label;
  });
}

function summarizePredictions(p: LoadedPredictions, settings: EvaluationSettings): Evaluation {
  const { metrics, notes } = p.prepared.evaluate();
  const details = p.prepared.task === "regression" ? null : p.prepared.details();
  return {
    task: p.opts.task,
    n: p.prepared.n,
    metrics,
    notes: [...notes, ...(details?.notes ?? [])],
    ci: settings.resamples > 0 ? bootstrapIntervals(p.prepared, settings) : {},
    details,
    delong: delongOf(p.prepared, settings.confidence),
    slices: Object.fromEntries(p.slices.map((column) => [column, sliceMetrics(p.data, column, p.opts)])),
    fingerprint: fingerprint(p.data, p.opts.label),
  };
}

function delongOf(p: PreparedPredictions, confidence: number): Evaluation["delong"] {
  if (p.inputs.task !== "binary") return null;
  const d = delongAuc(p.inputs.y, p.inputs.score, confidence);
  return d ? { roc_auc: d.auc, variance: d.variance, ci: d.ci } : null;
}

/** Rows per slice value; a numeric column with more than 10 values is cut at its quartiles. */
function sliceGroups(
  values: readonly Cell[],
  edges?: number[],
): { groups: Map<string, number[]>; edges: number[] | null } {
  const numbers = values.map((v) => (v === null || v === "" ? null : Number(v)));
  const numeric = numbers.every((x) => x === null || Number.isFinite(x)) && new Set(numbers).size > 11;
  const cut = edges ?? (numeric ? quartileEdges(numbers.filter((x): x is number => x !== null)) : null);
  const groups = new Map<string, number[]>();
  values.forEach((v, i) => {
    let key: string;
    if (v === null) key = "(null)";
    else if (cut) {
      const x = numbers[i]!;
      const bin = cut.findIndex((edge, k) => k > 0 && (x <= edge || k === cut.length - 1));
      key = `[${fmtEdge(cut[bin - 1]!)}, ${fmtEdge(cut[bin]!)}]`;
    } else key = String(v);
    const rows = groups.get(key) ?? [];
    rows.push(i);
    groups.set(key, rows);
  });
  return { groups, edges: cut };
}

function quartileEdges(xs: number[]): number[] {
  const sorted = Float64Array.from(xs).sort();
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
  };
  return [...new Set([0, 0.25, 0.5, 0.75, 1].map(at))];
}

function fmtEdge(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function subsetMetrics(
  data: PredictionColumns,
  rows: number[],
  opts: PredictionOptions,
): Record<string, number | null> {
  const subset: PredictionColumns = {};
  for (const [name, values] of Object.entries(data)) subset[name] = rows.map((i) => values[i] ?? null);
  try {
    return preparePredictions(subset, opts).evaluate().metrics;
  } catch {
    // a slice can lack what the whole set has (e.g. a class column's values); its metrics are undefined
    return {};
  }
}

function sliceMetrics(data: PredictionColumns, column: string, opts: PredictionOptions): SliceResult[] {
  const { groups } = sliceGroups(data[column] ?? []);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, rows]) => ({ value, n: rows.length, metrics: subsetMetrics(data, rows, opts) }));
}

function fingerprint(data: Record<string, Cell[]>, label: string): string {
  const parts = [data.id ?? [], data[label] ?? []].map((col) => col.map((v) => String(v)).join("\u0001"));
  return sha256(parts.join("\u0002"));
}

export function predictionOptions(model: ModelConfig): PredictionOptions {
  const p = model.predictions;
  return {
    task: model.task,
    label: p.label,
    file: p.path,
    ...(p.score !== undefined && { score: p.score }),
    ...(p.prediction !== undefined && { prediction: p.prediction }),
    ...(p.proba_prefix !== undefined && { probaPrefix: p.proba_prefix }),
    ...(p.positive_label !== undefined && { positiveLabel: String(p.positive_label) }),
    ...(p.threshold !== undefined && { threshold: p.threshold }),
  };
}

/** The config form: every model (or `model`), compared with its baselines; results saved for report/release. */
export async function evaluateModels(
  ctx: CommandContext,
  opts: { model?: string; base?: string } = {},
): Promise<ModelEvaluation[]> {
  const config = readConfig(ctx);
  const git = gitOf(ctx);
  const registry = registryOf(ctx, config);
  const commit = await git.head();
  const out: ModelEvaluation[] = [];
  for (const model of pickModels(config.models, opts.model)) {
    const done = ctx.log.step(`evaluate ${model.name} (${model.predictions.path})`);
    const settings: EvaluationSettings = { ...model.evaluation, seed: commit };
    const labels = model.predictions.labels;
    const loaded = await loadPredictions(
      resolveIn(ctx.root, model.predictions.path),
      predictionOptions(model),
      model.slices,
      labels && { path: resolveIn(ctx.root, labels.path), displayName: labels.path, id: labels.id },
    );
    const evaluation = summarizePredictions(loaded, settings);
    for (const file of Object.values(config.pipeline).flatMap((stage) => stage.metrics)) {
      for (const [name, value] of Object.entries(await readMetricsFile(resolveIn(ctx.root, file), file))) {
        if (name in evaluation.metrics) {
          throw new UserError(
            `${file}: custom metric "${name}" has the name of a computed metric. Rename it in the file.`,
          );
        }
        evaluation.metrics[name] = value;
      }
    }
    const baselines = await findBaselines(git, registry, model.name, opts.base);
    const baseline: BaselineRef | null = gateBaseline(baselines);
    const paired = baseline
      ? await pairWithBaseline(ctx, registry, model, baseline, loaded, settings)
      : { comparable: false, reason: null, significance: {} };
    if (paired.comparable && paired.baselineData)
      flagSliceRegressions(evaluation, loaded, paired.baselineData, model);
    const result: ModelEvaluation = {
      command: "evaluate",
      model: model.name,
      commit,
      predictions_path: model.predictions.path,
      ...evaluation,
      baselines,
      comparison: compareMetrics(evaluation.metrics, baseline, model.metrics, paired.significance),
      paired: { comparable: paired.comparable, reason: paired.reason },
    };
    await resultsOf(ctx).write(`${model.name}.evaluate`, result);
    done();
    out.push(result);
  }
  if (out.length === 0)
    throw new UserError(`${ctx.configPath}: no models configured. Add one under "models:".`);
  return out;
}

interface Paired {
  comparable: boolean;
  reason: string | null;
  significance: Record<string, Significance>;
  baselineData?: PredictionColumns;
}

/**
 * The paired tests need the baseline's own predictions on the same rows: they are an asset
 * of its registry version. Rows are matched by an `id` column when both files have one.
 */
async function pairWithBaseline(
  ctx: CommandContext,
  registry: Registry,
  model: ModelConfig,
  baseline: BaselineRef,
  current: LoadedPredictions,
  settings: EvaluationSettings,
): Promise<Paired> {
  const manifest = await registry.getManifest(model.name, baseline.version);
  const asset = manifest.files.find((f) => f.role === "predictions");
  const none = (reason: string): Paired => ({ comparable: false, reason, significance: {} });
  if (!asset) return none(`${model.name}-v${baseline.version} has no stored predictions`);
  const dir = resolveIn(ctx.root, join(".mlgate", "cache", `${model.name}-v${baseline.version}`));
  const [file] = await registry.pull(model.name, baseline.version, dir, [asset.name]);
  const table = await readColumns(file!, { displayName: `${model.name}-v${baseline.version}/${asset.name}` });
  const aligned = alignById(table.data, current.data);
  if (typeof aligned === "string") return none(aligned);
  let prepared: PreparedPredictions;
  try {
    prepared = preparePredictions(aligned, { ...current.opts, file: asset.name });
  } catch (e) {
    if (e instanceof UserError)
      return none(`the baseline's predictions do not fit this model's columns: ${e.problems[0]}`);
    throw e;
  }
  const result = pairedComparison(current.prepared, prepared, settings);
  if (!result.comparable) return none(result.reason);
  const significance: Record<string, Significance> = {};
  for (const d of result.deltas) {
    significance[d.metric] = { ci: d.ci, p_value: d.p_value, test: d.test, significant: d.significant };
  }
  return { comparable: true, reason: null, significance, baselineData: aligned };
}

/** Baseline columns reordered to the current rows by `id`; a reason string when they cannot be. */
function alignById(base: PredictionColumns, current: PredictionColumns): PredictionColumns | string {
  const baseIds = base.id;
  const curIds = current.id;
  if (!baseIds || !curIds) {
    const n = Object.values(base)[0]?.length ?? 0;
    const m = Object.values(current)[0]?.length ?? 0;
    return n === m ? base : `different row counts (${n} vs ${m}) and no id column to match rows`;
  }
  const index = new Map<string, number>();
  baseIds.forEach((id, i) => {
    index.set(String(id), i);
  });
  const order: number[] = [];
  for (const id of curIds) {
    const i = index.get(String(id));
    if (i === undefined) return `row id ${String(id)} is not in the baseline's evaluation set`;
    order.push(i);
  }
  if (index.size !== curIds.length)
    return `the evaluation sets differ (${index.size} vs ${curIds.length} rows)`;
  return Object.fromEntries(
    Object.entries(base).map(([name, values]) => [name, order.map((i) => values[i] ?? null)]),
  );
}

/** Per slice, gated metrics that got worse than the gate's allowed drop (or rise). */
function flagSliceRegressions(
  evaluation: Evaluation,
  current: LoadedPredictions,
  baseline: PredictionColumns,
  model: ModelConfig,
): void {
  for (const [column, slices] of Object.entries(evaluation.slices)) {
    const { groups } = sliceGroups(current.data[column] ?? []);
    for (const slice of slices) {
      const rows = groups.get(slice.value) ?? [];
      const before = subsetMetrics(baseline, rows, current.opts);
      const rowsOf = compareMetrics(
        slice.metrics,
        { kind: "base", version: 0, commit: "", metrics: before },
        model.metrics,
      );
      const worse = rowsOf.filter(
        (r) => r.gated && r.status === "fail" && r.reasons.some((x) => /^(drop|rise) >/.test(x)),
      );
      if (worse.length)
        slice.regressions = worse.map((r) => ({
          metric: r.metric,
          baseline: r.baseline,
          current: r.current,
        }));
    }
  }
}
