/**
 * `mlgate check`: what `command: auto` runs for a pull request —
 * validate-data → run → evaluate → validate-model → report (PRODUCT.md §3).
 * Locally it prints exactly what CI will say.
 */
import type { CommandContext } from "./context.js";
import { evaluateModels } from "./evaluate.js";
import { type ReportResult, report } from "./report.js";
import { type RunResult, runPipeline } from "./run.js";
import { validateDatasets } from "./validate-data.js";
import { validateModels } from "./validate-model.js";

export interface CheckResult {
  command: "check";
  run: RunResult;
  report: ReportResult | null;
}

export async function check(
  ctx: CommandContext,
  opts: { model?: string; base?: string },
): Promise<CheckResult> {
  const scope = { ...(opts.model && { model: opts.model }), ...(opts.base && { base: opts.base }) };
  await validateDatasets(ctx, opts.base ? { base: opts.base } : {});
  const run = await runPipeline(ctx);
  if (!run.ok) return { command: "check", run, report: null };
  await evaluateModels(ctx, scope);
  await validateModels(ctx, scope);
  return { command: "check", run, report: await report(ctx, { ...scope, dryRun: true }) };
}
