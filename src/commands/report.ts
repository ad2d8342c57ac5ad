/**
 * `mlgate report`: gathers the saved results of validate-data, evaluate and
 * validate-model and renders the PR comment for each model (PRODUCT.md §4).
 * Posting to GitHub arrives with the GitHub layer; `--dry-run` renders only.
 */
import { decideVerdict, type Verdict } from "../core/gates.js";
import { diffParams, type ParamChange } from "../core/params-diff.js";
import { type ReportBaseline, type ReportInput, renderReport } from "../core/report.js";
import { notAvailableYet } from "../errors.js";
import type { Git } from "../io/git.js";
import { collectParams, workingTreeLoader } from "../io/params-file.js";
import type { Registry } from "../registry/registry.js";
import type { Baselines } from "./baselines.js";
import { type CommandContext, gitOf, pickModels, readConfig, registryOf, resultsOf } from "./context.js";
import type { ModelEvaluation } from "./evaluate.js";
import { type DataResult, validateDatasets } from "./validate-data.js";
import { type ModelValidation, validateModels } from "./validate-model.js";

export interface ModelReport {
  model: string;
  verdict: Verdict;
  markdown: string;
  report_path: string;
  failures: string[];
  warnings: string[];
}

export interface ReportResult {
  command: "report";
  verdict: Verdict;
  reports: ModelReport[];
  json_path: string;
}

const TREND_POINTS = 8;

export async function report(
  ctx: CommandContext,
  opts: { model?: string; base?: string; dryRun: boolean },
): Promise<ReportResult> {
  if (!opts.dryRun) throw notAvailableYet("report (posting to GitHub)", "issue #5; use --dry-run to render");
  const config = readConfig(ctx);
  const git = gitOf(ctx);
  const registry = registryOf(ctx, config);
  const store = resultsOf(ctx);
  const head = await git.head();
  const base = opts.base === undefined ? {} : { base: opts.base };
  const data = await freshOr(store.read<DataResult>("validate-data"), head, () =>
    validateDatasets(ctx, base),
  );
  const reports: ModelReport[] = [];
  for (const model of pickModels(config.models, opts.model)) {
    const validation = await freshOr(
      store.read<ModelValidation>(`${model.name}.validate-model`),
      head,
      async () => (await validateModels(ctx, { model: model.name, ...base }))[0]!,
    );
    const evaluation = (await store.read<ModelEvaluation>(`${model.name}.evaluate`))!;
    const dataFailures = data.datasets.flatMap((d) =>
      d.checks
        .filter((c) => !c.ok)
        .map((c) => `data ${d.name}${c.column ? `.${c.column}` : ""}: ${c.check} ${c.expected}`),
    );
    const failures = [...validation.failures, ...dataFailures];
    // drift is worth a reviewer's look but is not a gate: it makes a warning
    const driftWarnings = data.datasets.flatMap((d) =>
      d.diff?.drift?.dataset_drifted
        ? [
            `data ${d.name}: dataset drift vs base (${d.diff.drift.drifted_columns} of ${d.diff.drift.columns.length} columns)`,
          ]
        : [],
    );
    const sliceWarnings = Object.entries(evaluation.slices).flatMap(([column, slices]) =>
      slices
        .filter((sl) => sl.regressions?.length)
        .map(
          (sl) =>
            `slice ${column}=${sl.value}: ${sl.regressions!.map((r) => r.metric).join(", ")} regressed beyond the gate`,
        ),
    );
    const baseline = evaluation.baselines.production ?? evaluation.baselines.base;
    const pairing =
      baseline && !evaluation.paired.comparable && evaluation.paired.reason
        ? [
            `not comparable with ${model.name}-v${baseline.version} row by row (${evaluation.paired.reason}): no significance tests`,
          ]
        : [];
    const warnings = [...validation.warnings, ...driftWarnings, ...sliceWarnings, ...pairing];
    const verdict = decideVerdict(failures.length, warnings.length);
    const keyMetric =
      Object.entries(model.metrics).find(([, g]) => g.key)?.[0] ?? Object.keys(model.metrics)[0] ?? null;
    const paramSpecs = Object.values(config.pipeline).flatMap((s) => s.params);
    const input: ReportInput = {
      model: model.name,
      verdict,
      headSha: head,
      baselines: reportBaselines(evaluation.baselines),
      gateBaseline: reportBaselines(evaluation.baselines)[0] ?? null,
      evalSet: {
        path: evaluation.predictions_path,
        rows: evaluation.n,
        sameAsBaseline: await sameEvalSet(registry, model.name, evaluation),
      },
      metrics: validation.metrics,
      ci: evaluation.ci,
      failures,
      warnings,
      data: data.datasets,
      params: await paramChanges(git, paramSpecs, evaluation.baselines, ctx.root),
      artifact: { bytes: validation.artifact_bytes, baselineBytes: validation.baseline_artifact_bytes },
      keyMetric,
      slices: keyMetric
        ? Object.entries(evaluation.slices).flatMap(([column, slices]) =>
            slices.map((s) => ({
              column,
              value: s.value,
              n: s.n,
              value_of_key: s.metrics[keyMetric] ?? null,
              regressed: (s.regressions ?? []).map((r) => r.metric),
            })),
          )
        : [],
      trend: keyMetric
        ? await trend(registry, model.name, keyMetric, evaluation.metrics[keyMetric] ?? null)
        : [],
      stages: Object.entries(config.promotion.stages).map(([name, s]) => ({
        name,
        label: s.label ?? `promote:${name}`,
      })),
      fullReportUrl: ctx.runUrl,
    };
    const markdown = renderReport(input);
    const reportPath = await store.writeText(`${model.name}.report.md`, `${markdown}\n`);
    reports.push({ model: model.name, verdict, markdown, report_path: reportPath, failures, warnings });
  }
  const verdict = worst(reports.map((r) => r.verdict));
  await store.writeText("report.md", `${reports.map((r) => r.markdown).join("\n\n---\n\n")}\n`);
  const jsonPath = await store.write("result", {
    verdict,
    commit: head,
    data,
    reports: reports.map(({ markdown: _, ...r }) => r),
  });
  return { command: "report", verdict, reports, json_path: jsonPath };
}

/** A saved result is reused only when it was computed for this commit. */
async function freshOr<T extends { commit: string | null }>(
  saved: Promise<T | undefined>,
  head: string,
  compute: () => Promise<T>,
): Promise<T> {
  const value = await saved;
  if (value && value.commit === head) return value;
  return compute();
}

function reportBaselines(b: Baselines): ReportBaseline[] {
  const out: ReportBaseline[] = [];
  if (b.production)
    out.push({ kind: "production", version: b.production.version, commit: b.production.commit });
  if (b.base && !(b.production && b.production.version === b.base.version)) {
    out.push({
      kind: "base",
      version: b.base.version,
      commit: b.base.commit,
      ...(b.base_ref && { ref: b.base_ref }),
    });
  } else if (b.base && b.base_ref) {
    // production and base branch are the same version: say both in one
    out[0] = { ...out[0]!, ref: b.base_ref };
  }
  return out;
}

async function sameEvalSet(
  registry: Registry,
  model: string,
  evaluation: ModelEvaluation,
): Promise<boolean | null> {
  const baseline = evaluation.baselines.production ?? evaluation.baselines.base;
  if (!baseline) return null;
  const manifest = await registry.getManifest(model, baseline.version);
  return manifest.eval.fingerprint === evaluation.fingerprint;
}

async function paramChanges(
  git: Git,
  specs: string[],
  baselines: Baselines,
  root: string,
): Promise<ParamChange[]> {
  const commit = baselines.production?.commit ?? baselines.base?.commit ?? baselines.merge_base;
  if (!commit || specs.length === 0) return [];
  const before = await collectParams(specs, async (file) => (await git.show(commit, file))?.toString("utf8"));
  const after = await collectParams(specs, workingTreeLoader(root));
  return diffParams(before, after);
}

async function trend(
  registry: Registry,
  model: string,
  metric: string,
  current: number | null,
): Promise<{ label: string; value: number | null }[]> {
  const versions = (await registry.listVersions(model)).slice(-TREND_POINTS);
  const points: { label: string; value: number | null }[] = [];
  for (const v of versions) {
    const m = await registry.getManifest(model, v.version);
    points.push({ label: `v${v.version}`, value: m.metrics[metric] ?? null });
  }
  points.push({ label: "PR", value: current });
  return points;
}

function worst(verdicts: Verdict[]): Verdict {
  if (verdicts.includes("blocked")) return "blocked";
  return verdicts.includes("warnings") ? "warnings" : "ready";
}
