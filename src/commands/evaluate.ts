/**
 * `mlgate evaluate`: metrics from a predictions file, per slice, compared
 * with the baselines' metrics (PRODUCT.md §3, §3.1).
 */
import type { ModelConfig } from "../config.js";
import { type BaselineRef, compareMetrics, type MetricRow } from "../core/gates.js";
import {
  type PredictionColumns,
  type PredictionOptions,
  preparePredictions,
  type Task,
} from "../core/prediction-table.js";
import { UserError } from "../errors.js";
import { sha256 } from "../io/hash.js";
import { readMetricsFile } from "../io/metrics-file.js";
import { type Cell, readColumns } from "../io/table-reader.js";
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
}

export interface Evaluation {
  task: Task;
  n: number;
  metrics: Record<string, number | null>;
  notes: string[];
  /** Confidence intervals arrive with the uncertainty engine (issue 4); empty until then. */
  ci: Record<string, [number, number]>;
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
}

export interface StandaloneEvaluateOptions extends Omit<PredictionOptions, "file"> {
  predictions: string;
  slices?: string[];
}

/** The standalone form: no config, no git, one file. */
export async function evaluateFile(opts: StandaloneEvaluateOptions): Promise<Evaluation> {
  const { predictions, slices = [], ...prediction } = opts;
  return evaluateTable(predictions, { ...prediction, file: predictions }, slices);
}

async function evaluateTable(path: string, opts: PredictionOptions, slices: string[]): Promise<Evaluation> {
  const table = await readColumns(path, { displayName: opts.file });
  for (const column of slices) {
    if (!(column in table.data)) {
      throw new UserError(
        `${opts.file}: slice column "${column}" is not in the predictions file (columns: ${table.columns.join(", ")}). Fix: write it to the predictions file or remove it from slices.`,
      );
    }
  }
  const prepared = preparePredictions(table.data, opts);
  const { metrics, notes } = prepared.evaluate();
  return {
    task: opts.task,
    n: prepared.n,
    metrics,
    notes,
    ci: {},
    slices: Object.fromEntries(slices.map((column) => [column, sliceMetrics(table.data, column, opts)])),
    fingerprint: fingerprint(table.data, opts.label),
  };
}

function sliceMetrics(data: PredictionColumns, column: string, opts: PredictionOptions): SliceResult[] {
  const groups = new Map<string, number[]>();
  (data[column] ?? []).forEach((v, i) => {
    const key = v === null ? "(null)" : String(v);
    const rows = groups.get(key) ?? [];
    rows.push(i);
    groups.set(key, rows);
  });
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, rows]) => {
      const subset: PredictionColumns = {};
      for (const [name, values] of Object.entries(data)) subset[name] = rows.map((i) => values[i] ?? null);
      try {
        const { metrics } = preparePredictions(subset, opts).evaluate();
        return { value, n: rows.length, metrics };
      } catch {
        // a slice can lack what the whole set has (e.g. a class column's values); its metrics are undefined
        return { value, n: rows.length, metrics: {} };
      }
    });
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
    const evaluation = await evaluateTable(
      resolveIn(ctx.root, model.predictions.path),
      predictionOptions(model),
      model.slices,
    );
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
    const result: ModelEvaluation = {
      command: "evaluate",
      model: model.name,
      commit,
      predictions_path: model.predictions.path,
      ...evaluation,
      baselines,
      comparison: compareMetrics(evaluation.metrics, baseline, model.metrics),
    };
    await resultsOf(ctx).write(`${model.name}.evaluate`, result);
    done();
    out.push(result);
  }
  if (out.length === 0)
    throw new UserError(`${ctx.configPath}: no models configured. Add one under "models:".`);
  return out;
}
