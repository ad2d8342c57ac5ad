/**
 * `mlgate release`: store the model, its predictions and its model card as
 * the next registry version (PRODUCT.md §5). Local mode: a folder registry.
 */
import { basename } from "node:path";
import type { ModelConfig } from "../config.js";
import { UserError } from "../errors.js";
import { collectParams, workingTreeLoader } from "../io/params-file.js";
import type { Manifest } from "../registry/manifest.js";
import type { ReleaseFile } from "../registry/registry.js";
import { MLGATE_VERSION } from "../version.js";
import {
  type CommandContext,
  gitOf,
  pickModels,
  readConfig,
  registryOf,
  resolveIn,
  resultsOf,
} from "./context.js";
import type { ModelEvaluation } from "./evaluate.js";
import type { DataResult } from "./validate-data.js";
import { validateDatasets } from "./validate-data.js";
import type { ModelValidation } from "./validate-model.js";
import { validateModels } from "./validate-model.js";

export interface ReleaseResult {
  command: "release";
  releases: { model: string; version: number; commit: string; location: string; files: Manifest["files"] }[];
}

export async function release(ctx: CommandContext, opts: { model?: string } = {}): Promise<ReleaseResult> {
  const config = readConfig(ctx);
  const git = gitOf(ctx);
  const registry = registryOf(ctx, config);
  const store = resultsOf(ctx);
  const head = await git.head();
  const dirty = await git.isDirty();
  let data = await store.read<DataResult>("validate-data");
  if (!data || data.commit !== head) data = await validateDatasets(ctx);
  const releases: ReleaseResult["releases"] = [];
  for (const model of pickModels(config.models, opts.model)) {
    let validation = await store.read<ModelValidation>(`${model.name}.validate-model`);
    if (!validation || validation.commit !== head)
      validation = (await validateModels(ctx, { model: model.name }))[0]!;
    const evaluation = (await store.read<ModelEvaluation>(`${model.name}.evaluate`))!;
    if (validation.artifacts.some((a) => a.check === "exists" && !a.ok)) {
      throw new UserError(
        `release ${model.name}: the artifact is missing (${validation.failures.join("; ")}). Run \`mlgate run\` first.`,
      );
    }
    const done = ctx.log.step(`release ${model.name}`);
    const params = await collectParams(paramSpecs(config.pipeline, model), workingTreeLoader(ctx.root));
    const manifest = await registry.release(
      {
        model: model.name,
        commit: head,
        dirty,
        task: model.task,
        metrics: evaluation.metrics,
        ci: evaluation.ci,
        verdict: validation.verdict,
        eval: { rows: evaluation.n, fingerprint: evaluation.fingerprint },
        params,
        datasets: data.datasets.map((d) => ({ name: d.name, path: d.path, sha256: d.sha256, rows: d.rows })),
        environment: {
          mlgate: MLGATE_VERSION,
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
        },
        run_url: ctx.runUrl,
      },
      releaseFiles(ctx, model),
    );
    done();
    releases.push({
      model: model.name,
      version: manifest.version,
      commit: head,
      location: registry.location,
      files: manifest.files,
    });
  }
  return { command: "release", releases };
}

function paramSpecs(pipeline: Record<string, { params: string[] }>, model: ModelConfig): string[] {
  const specs = Object.values(pipeline).flatMap((s) => s.params);
  if (model.params) specs.push(model.params);
  return [...new Set(specs)];
}

function releaseFiles(ctx: CommandContext, model: ModelConfig): ReleaseFile[] {
  const artifacts = Array.isArray(model.artifact) ? model.artifact : [model.artifact];
  return [
    ...artifacts.map((path) => ({
      path: resolveIn(ctx.root, path),
      name: basename(path),
      role: "artifact" as const,
    })),
    {
      path: resolveIn(ctx.root, model.predictions.path),
      name: `predictions-${basename(model.predictions.path)}`,
      role: "predictions" as const,
    },
  ];
}
