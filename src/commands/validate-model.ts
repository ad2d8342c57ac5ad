/**
 * `mlgate validate-model`: artifact checks and metric gates, giving the
 * model's verdict (PRODUCT.md §3).
 */
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { ModelConfig } from "../config.js";
import { decideVerdict, type MetricRow, type Verdict } from "../core/gates.js";
import { artifactVerdict, mayHoldPickle, scanArtifact } from "../io/artifact-scan.js";
import type { Manifest } from "../registry/manifest.js";
import { gateBaseline } from "./baselines.js";
import {
  type CommandContext,
  gitOf,
  pickModels,
  readConfig,
  registryOf,
  resolveIn,
  resultsOf,
} from "./context.js";
import { evaluateModels, type ModelEvaluation } from "./evaluate.js";

export interface ArtifactCheck {
  path: string;
  check: "exists" | "max_size_mb" | "max_growth_relative" | "format" | "unsafe_serialization";
  ok: boolean;
  detail: string;
  /** A passed check that still deserves a reviewer's look. */
  warning?: string;
}

export interface ModelValidation {
  command: "validate-model";
  model: string;
  commit: string;
  verdict: Verdict;
  failures: string[];
  warnings: string[];
  metrics: MetricRow[];
  artifacts: ArtifactCheck[];
  artifact_bytes: number;
  baseline_artifact_bytes: number | null;
}

/**
 * Pickle-based artifacts run code when loaded. Their opcodes are scanned (never loaded): an
 * import that can run code fails, an import outside the ML allowlist warns. `allow_unsafe`
 * turns the failure into a warning.
 */
async function unsafeSerializationCheck(
  path: string,
  abs: string,
  allowUnsafe: boolean,
): Promise<ArtifactCheck | null> {
  if (!(await mayHoldPickle(abs))) return null;
  const scan = await scanArtifact(abs);
  if (scan.format === "unknown" && scan.findings.length === 0 && scan.error === null) return null;
  const verdict = artifactVerdict(scan);
  const messages = [...scan.findings.map((f) => f.message), ...(scan.error ? [scan.error] : [])];
  const listed =
    messages.slice(0, 3).join("; ") + (messages.length > 3 ? `; and ${messages.length - 3} more` : "");
  if (verdict === "safe") {
    return {
      path,
      check: "unsafe_serialization",
      ok: true,
      detail: `${scan.format}: scanned, no code-running imports`,
    };
  }
  if (verdict === "warnings" || allowUnsafe) {
    return {
      path,
      check: "unsafe_serialization",
      ok: true,
      detail: `${scan.format}: ${listed}`,
      warning: `${scan.format} artifact: ${listed}${verdict === "unsafe" ? " (allowed by artifact_rules.allow_unsafe)" : ""}`,
    };
  }
  return {
    path,
    check: "unsafe_serialization",
    ok: false,
    detail: `${scan.format} would run code when loaded: ${listed}. Export to a safe format (ONNX, safetensors, JSON) or set artifact_rules.allow_unsafe`,
  };
}

export async function validateModels(
  ctx: CommandContext,
  opts: { model?: string; base?: string } = {},
): Promise<ModelValidation[]> {
  const config = readConfig(ctx);
  const head = await gitOf(ctx).head();
  const registry = registryOf(ctx, config);
  const out: ModelValidation[] = [];
  for (const model of pickModels(config.models, opts.model)) {
    const stored = await resultsOf(ctx).read<ModelEvaluation>(`${model.name}.evaluate`);
    const evaluation =
      stored && stored.commit === head
        ? stored
        : (await evaluateModels(ctx, { model: model.name, ...(opts.base && { base: opts.base }) }))[0]!;
    const baseline = gateBaseline(evaluation.baselines);
    const baselineManifest = baseline ? await registry.getManifest(model.name, baseline.version) : null;
    const done = ctx.log.step(`validate ${model.name}: artifact and gates`);
    const { checks, bytes, baselineBytes } = await checkArtifacts(ctx, model, baselineManifest);
    const failures = [
      ...evaluation.comparison
        .filter((r) => r.status === "fail")
        .map((r) => `${r.metric}: ${r.reasons.join("; ")}`),
      ...checks.filter((c) => !c.ok).map((c) => `${c.path}: ${c.detail}`),
    ];
    const warnings = [
      ...evaluation.comparison
        .filter((r) => r.status === "warn")
        .map((r) => `${r.metric}: ${r.reasons.join("; ")}`),
      ...evaluation.notes,
      ...checks.flatMap((c) => (c.warning ? [`${c.path}: ${c.warning}`] : [])),
    ];
    const result: ModelValidation = {
      command: "validate-model",
      model: model.name,
      commit: head,
      verdict: decideVerdict(failures.length, warnings.length),
      failures,
      warnings,
      metrics: evaluation.comparison,
      artifacts: checks,
      artifact_bytes: bytes,
      baseline_artifact_bytes: baselineBytes,
    };
    await resultsOf(ctx).write(`${model.name}.validate-model`, result);
    done();
    out.push(result);
  }
  return out;
}

async function checkArtifacts(
  ctx: CommandContext,
  model: ModelConfig,
  baseline: Manifest | null,
): Promise<{ checks: ArtifactCheck[]; bytes: number; baselineBytes: number | null }> {
  const rules = model.artifact_rules ?? {};
  const paths = Array.isArray(model.artifact) ? model.artifact : [model.artifact];
  const checks: ArtifactCheck[] = [];
  let bytes = 0;
  for (const path of paths) {
    const info = await stat(resolveIn(ctx.root, path)).catch(() => undefined);
    checks.push({
      path,
      check: "exists",
      ok: info?.isFile() === true,
      detail: info?.isFile() ? "present" : "missing: run the pipeline (`mlgate run`) or fix `artifact:`",
    });
    if (!info?.isFile()) continue;
    bytes += info.size;
    const ext = extname(path).slice(1).toLowerCase();
    if (rules.formats) {
      const ok = rules.formats.map((f) => f.toLowerCase()).includes(ext);
      checks.push({
        path,
        check: "format",
        ok,
        detail: ok ? `.${ext}` : `.${ext || "(none)"} not in [${rules.formats.join(", ")}]`,
      });
    }
    const scanned = await unsafeSerializationCheck(
      path,
      resolveIn(ctx.root, path),
      rules.allow_unsafe === true,
    );
    if (scanned) checks.push(scanned);
  }
  const mb = bytes / 1e6;
  if (rules.max_size_mb !== undefined) {
    const ok = mb <= rules.max_size_mb;
    checks.push({
      path: paths.join(", "),
      check: "max_size_mb",
      ok,
      detail: `${mb.toFixed(3)} MB ${ok ? "≤" : ">"} ${rules.max_size_mb} MB`,
    });
  }
  const names = new Set(paths.map((p) => basename(p)));
  const baselineBytes = baseline
    ? baseline.files.filter((f) => f.role === "artifact" && names.has(f.name)).reduce((n, f) => n + f.size, 0)
    : null;
  if (rules.max_growth_relative !== undefined && baselineBytes) {
    const growth = (bytes - baselineBytes) / baselineBytes;
    const ok = growth <= rules.max_growth_relative;
    checks.push({
      path: paths.join(", "),
      check: "max_growth_relative",
      ok,
      detail: `${(growth * 100).toFixed(1)}% vs baseline ${ok ? "≤" : ">"} ${(rules.max_growth_relative * 100).toFixed(1)}%`,
    });
  }
  return { checks, bytes, baselineBytes };
}
