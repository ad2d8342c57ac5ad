/**
 * The `.mlgate.yml` contract (PRODUCT.md §2). This zod schema is the single
 * source of truth: the `MlgateConfig` type and `schema/mlgate.schema.json`
 * (scripts/gen-schema.mjs) are derived from it. Unknown keys are errors.
 */
import { z } from "zod";
import { BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS } from "./core/metrics.js";

const finite = () => z.number().refine(Number.isFinite, "expected a finite number");
const share = () => z.number().min(0).max(1);
const nonEmpty = () => z.string().min(1);

export const COLUMN_TYPES = [
  "number",
  "integer",
  "string",
  "boolean",
  "date",
  "datetime",
  "category",
] as const;
export const DRIFT_METHODS = [
  "auto",
  "ks",
  "chisquare",
  "z",
  "wasserstein",
  "jensenshannon",
  "psi",
  "kl",
  "hellinger",
] as const;
export const TASKS = ["binary", "multiclass", "regression"] as const;
export const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;

export const ColumnSchema = z
  .strictObject({
    type: z.enum(COLUMN_TYPES).describe("Expected type of every non-null value."),
    nullable: z.boolean().optional().describe("May the column hold nulls at all? Default true."),
    max_null_share: share().optional().describe("Largest allowed share of nulls, 0..1."),
    min: finite().optional().describe("Smallest allowed value (numbers)."),
    max: finite().optional().describe("Largest allowed value (numbers)."),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .describe("Allowed values (categories)."),
    regex: nonEmpty().optional().describe("Every value must match this regular expression (whole value)."),
    unique: z.boolean().optional().describe("Values must be unique."),
    min_length: z.int().min(0).optional().describe("Shortest allowed string length."),
    max_length: z.int().min(0).optional().describe("Longest allowed string length."),
  })
  .describe("Rules for one column.");

export const DatasetSchema = z
  .strictObject({
    columns: z.record(z.string(), ColumnSchema).default({}).describe("Column name → rules."),
    rows: z
      .strictObject({ min: z.int().min(0).optional(), max: z.int().min(0).optional() })
      .optional()
      .describe("Row-count bounds."),
    required_columns: z.array(nonEmpty()).optional(),
    forbidden_columns: z.array(nonEmpty()).optional(),
    additional_columns: z
      .boolean()
      .optional()
      .describe("May the data have columns not listed under `columns`? Default true."),
    ordered: z.boolean().optional().describe("Columns must appear in the listed order. Default false."),
    unique_together: z
      .array(z.array(nonEmpty()).min(2))
      .optional()
      .describe("Compound keys that must be unique."),
    max_duplicate_row_share: share().optional(),
  })
  .describe("A dataset schema; also the format of a standalone `--schema` file.");

export const DriftSettings = z.strictObject({
  method: z.enum(DRIFT_METHODS).default("auto"),
  columns: z.union([z.literal("all"), z.array(nonEmpty())]).default("all"),
  threshold: finite().optional().describe("Overrides the method's default threshold."),
  dataset_share: share().default(0.5).describe("The dataset drifts when this share of columns drifts."),
});

export const Dataset = z.strictObject({
  name: nonEmpty(),
  path: nonEmpty().describe("File or glob, relative to the repo root (CSV, TSV, JSON Lines, Parquet)."),
  format: z.enum(["csv", "tsv", "jsonl", "parquet"]).optional().describe("Default: from the extension."),
  delimiter: z.string().length(1).optional(),
  key: z
    .union([nonEmpty(), z.array(nonEmpty()).min(1)])
    .optional()
    .describe("Row key for row-level diffs."),
  schema: DatasetSchema.optional(),
  drift: z.union([DriftSettings, z.literal(false)]).optional(),
});

export const Stage = z.strictObject({
  cmd: nonEmpty().describe("Shell command, run from the repo root (or `wdir`)."),
  wdir: nonEmpty().optional(),
  deps: z.array(nonEmpty()).default([]).describe("Files/dirs the stage reads."),
  params: z.array(nonEmpty()).default([]).describe("`file:key` (or `key` in params.yaml) the stage reads."),
  outs: z.array(nonEmpty()).default([]).describe("Files/dirs the stage writes."),
  metrics: z.array(nonEmpty()).default([]).describe("JSON metric files the stage writes."),
});

export const MetricGate = z
  .strictObject({
    higher_is_better: z
      .boolean()
      .optional()
      .describe("Direction. Default: known from the metric name (log_loss, mae, … are lower-is-better)."),
    min: finite().optional().describe("Absolute threshold: the value must be ≥ min."),
    max: finite().optional().describe("Absolute threshold: the value must be ≤ max."),
    max_drop: finite().min(0).optional().describe("Allowed absolute drop vs baseline (higher-is-better)."),
    max_drop_relative: finite().min(0).optional().describe("Allowed relative drop, 0.05 = 5%."),
    max_rise: finite().min(0).optional().describe("Allowed absolute rise vs baseline (lower-is-better)."),
    max_rise_relative: finite().min(0).optional(),
    min_improvement: finite()
      .min(0)
      .optional()
      .describe("Required absolute improvement (MLflow min_absolute_change)."),
    min_improvement_relative: finite()
      .min(0)
      .optional()
      .describe("Required relative improvement (MLflow min_relative_change)."),
    key: z
      .boolean()
      .optional()
      .describe("The key metric, drawn in the trend chart. Default: the first metric."),
  })
  .describe("A metric and its gates.");

export const Predictions = z.strictObject({
  path: nonEmpty(),
  label: nonEmpty().default("label"),
  score: nonEmpty().optional().describe("Binary: the positive-class probability column (default `score`)."),
  prediction: nonEmpty()
    .optional()
    .describe("Use this predicted-class column instead of thresholding/argmax."),
  proba_prefix: nonEmpty().optional().describe("Multiclass: probability column prefix (default `proba_`)."),
  positive_label: z.union([z.string(), z.number(), z.boolean()]).optional(),
  threshold: share().optional().describe("Binary decision threshold (default 0.5)."),
  labels: z
    .strictObject({ path: nonEmpty(), id: nonEmpty().default("id") })
    .optional()
    .describe("Labels kept in another file, joined to the predictions by the id column."),
});

export const ArtifactRules = z.strictObject({
  max_size_mb: finite().positive().optional(),
  max_growth_relative: finite().min(0).optional().describe("Allowed size growth vs baseline, 0.2 = 20%."),
  formats: z.array(nonEmpty()).optional().describe("Allowed file extensions, e.g. [onnx, json]."),
  allow_unsafe: z.boolean().optional().describe("Allow pickle-like formats. Default false."),
});

export const Model = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '.', '_' or '-' (it becomes a tag name)"),
  task: z.enum(TASKS),
  artifact: z.union([nonEmpty(), z.array(nonEmpty()).min(1)]),
  predictions: Predictions,
  metrics: z.record(z.string(), MetricGate).default({}),
  slices: z.array(nonEmpty()).default([]).describe("Evaluate per value of these columns."),
  artifact_rules: ArtifactRules.optional(),
  params: nonEmpty()
    .optional()
    .describe("Params file recorded with the model (default params.yaml if present)."),
  evaluation: z
    .strictObject({
      resamples: z.int().min(0).max(100_000).default(1000).describe("Bootstrap resamples (0: no intervals)."),
      confidence: z.number().gt(0.5).lt(1).default(0.95).describe("Confidence of intervals and tests."),
    })
    .default({ resamples: 1000, confidence: 0.95 }),
});

export const StageSettings = z.strictObject({
  label: nonEmpty().optional().describe("PR label that requests this stage (default promote:<stage>)."),
  environment: nonEmpty().optional().describe("GitHub environment whose protection rules apply."),
});

export const Promotion = z.strictObject({
  stages: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "lowercase letters, digits and '-'"), StageSettings)
    .default({ staging: {}, production: { environment: "production" } }),
  min_permission: z.enum(PERMISSIONS).default("write"),
  force_permission: z.enum(PERMISSIONS).default("maintain"),
  block_on_failed_gates: z.boolean().default(true),
});

export const MlgateConfig = z
  .strictObject({
    version: z.literal(1).optional(),
    datasets: z.array(Dataset).default([]),
    pipeline: z.record(z.string(), Stage).default({}),
    models: z.array(Model).default([]),
    promotion: Promotion.default({
      stages: { staging: {}, production: { environment: "production" } },
      min_permission: "write",
      force_permission: "maintain",
      block_on_failed_gates: true,
    }),
    registry: z
      .strictObject({ path: nonEmpty().default(".mlgate/registry") })
      .optional()
      .describe("Local registry folder (local mode)."),
  })
  .describe("mlgate configuration (.mlgate.yml)");

export type MlgateConfig = z.infer<typeof MlgateConfig>;
export type DatasetConfig = z.infer<typeof Dataset>;
export type DatasetSchemaConfig = z.infer<typeof DatasetSchema>;
export type StageConfig = z.infer<typeof Stage>;
export type ModelConfig = z.infer<typeof Model>;
export type MetricGateConfig = z.infer<typeof MetricGate>;
export type PromotionConfig = z.infer<typeof Promotion>;

/** Cross-field rules zod's shape cannot say; reported like schema errors. */
export function semanticProblems(config: MlgateConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  config.models.forEach((model, m) => {
    for (const [metric, gate] of Object.entries(model.metrics)) {
      const higher = gate.higher_is_better ?? knownDirection(metric);
      const at = ["models", m, "metrics", metric];
      if (higher === undefined) {
        problems.push({
          path: [...at],
          message: `unknown direction for metric "${metric}": add higher_is_better: true or false`,
        });
        continue;
      }
      const wrong = higher
        ? (["max_rise", "max_rise_relative"] as const)
        : (["max_drop", "max_drop_relative"] as const);
      for (const key of wrong) {
        if (gate[key] !== undefined) {
          const use = key.replace(higher ? "rise" : "drop", higher ? "drop" : "rise");
          problems.push({
            path: [...at, key],
            message: `"${metric}" is ${higher ? "higher" : "lower"}-is-better, so "${key}" never applies; use "${use}"`,
          });
        }
      }
      if (gate.min !== undefined && gate.max !== undefined && gate.min > gate.max) {
        problems.push({
          path: [...at, "min"],
          message: `min (${gate.min}) is greater than max (${gate.max})`,
        });
      }
    }
  });
  config.datasets.forEach((dataset, d) => {
    for (const [column, rules] of Object.entries(dataset.schema?.columns ?? {})) {
      if (rules.min !== undefined && rules.max !== undefined && rules.min > rules.max) {
        problems.push({
          path: ["datasets", d, "schema", "columns", column, "min"],
          message: `min (${rules.min}) is greater than max (${rules.max})`,
        });
      }
    }
  });
  const names = new Set<string>();
  config.models.forEach((model, m) => {
    if (names.has(model.name)) {
      problems.push({ path: ["models", m, "name"], message: `duplicate model name "${model.name}"` });
    }
    names.add(model.name);
  });
  return problems;
}

/** Built-in metrics where lower is better (losses and errors); every other built-in is higher-is-better. */
const LOWER_IS_BETTER = new Set([
  "log_loss",
  "brier",
  "mae",
  "mse",
  "rmse",
  "mape",
  "max_error",
  "median_ae",
]);
const BUILT_IN = new Set<string>([...BINARY_METRICS, ...MULTICLASS_METRICS, ...REGRESSION_METRICS]);

/** Direction of a metric known by name; undefined for custom metrics. */
export function knownDirection(metric: string): boolean | undefined {
  if (LOWER_IS_BETTER.has(metric)) return false;
  return BUILT_IN.has(metric) ? true : undefined;
}

export function metricDirection(metric: string, gate: MetricGateConfig): boolean {
  return gate.higher_is_better ?? knownDirection(metric) ?? true;
}
