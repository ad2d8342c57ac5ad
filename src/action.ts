/**
 * The GitHub Action door: reads `INPUT_*`, maps `command: auto` to a command
 * by event (PRODUCT.md §3), runs the same command functions as the CLI, and
 * turns results into outputs. Only this file and cli.ts set exit codes.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as core from "@actions/core";
import { check } from "./commands/check.js";
import type { CommandContext } from "./commands/context.js";
import { evaluateModels } from "./commands/evaluate.js";
import { type ReportResult, report } from "./commands/report.js";
import { runPipeline } from "./commands/run.js";
import { validateDatasets } from "./commands/validate-data.js";
import { validateModels } from "./commands/validate-model.js";
import type { Verdict } from "./core/gates.js";
import { notAvailableYet, UserError } from "./errors.js";
import { parseEvent } from "./github/event-context.js";
import { MLGATE_VERSION } from "./version.js";

export interface ActionOutcome {
  verdict?: Verdict;
  reportPath?: string;
  jsonPath?: string;
  markdown?: string;
  /** Per model, for annotations. */
  problems?: { model: string; failures: string[]; warnings: string[] }[];
}

interface EventInfo {
  name: string;
  action: string | undefined;
  merged: boolean;
  dispatchCommand: string | undefined;
}

function readEvent(): EventInfo {
  const name = process.env.GITHUB_EVENT_NAME ?? "";
  let payload: Record<string, unknown> = {};
  const path = process.env.GITHUB_EVENT_PATH;
  if (path) {
    try {
      payload = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch {
      throw new UserError(
        `GITHUB_EVENT_PATH ${path}: not readable JSON. This file is written by the Actions runner; run mlgate as a workflow step.`,
      );
    }
  }
  const event = parseEvent(name, payload, `GITHUB_EVENT_PATH ${path ?? ""}`.trim());
  const p = event.payload;
  const command = event.name === "workflow_dispatch" ? event.payload.inputs?.command : undefined;
  return {
    name,
    action: "action" in p && typeof p.action === "string" ? p.action : undefined,
    merged:
      (event.name === "pull_request" || event.name === "pull_request_target") &&
      event.payload.pull_request.merged === true,
    dispatchCommand: typeof command === "string" ? command : undefined,
  };
}

/** `command: auto` → the command for this event (PRODUCT.md §3). */
export function commandForEvent(event: EventInfo): string {
  switch (event.name) {
    case "pull_request":
      if (event.action === "closed") return event.merged ? "release" : "none";
      if (event.action === "labeled" || event.action === "unlabeled") return "promotion-request";
      return "check";
    case "pull_request_target":
      throw new UserError(
        "mlgate refuses to evaluate a pull request's files under pull_request_target (it would run PR code with a write token). " +
          "Use the two-stage workflow instead: `pull_request` runs mlgate read-only, a `workflow_run` job posts the results. See the README.",
      );
    case "workflow_run":
      return "report";
    case "push":
      return "release";
    case "issue_comment":
      return "bot";
    case "schedule":
      return "monitor";
    case "workflow_dispatch":
      return event.dispatchCommand ?? "check";
    default:
      return "check";
  }
}

export async function runAction(): Promise<ActionOutcome> {
  const input = (name: string) => core.getInput(name);
  const dryRun = core.getBooleanInput("dry-run", { required: false });
  const model = input("model") || undefined;
  const ctx: CommandContext = {
    root: resolve(input("working-directory") || "."),
    configPath: input("config") || ".mlgate.yml",
    log: {
      info: (m) => core.info(m),
      step: (title) => {
        const started = performance.now();
        core.info(`▶ ${title}`);
        return () => core.info(`  ✓ ${title} (${((performance.now() - started) / 1000).toFixed(2)}s)`);
      },
    },
    runUrl: runUrl(),
  };
  let command = input("command") || "auto";
  if (command === "auto") command = commandForEvent(readEvent());
  core.info(`mlgate ${MLGATE_VERSION}: ${command}`);
  const scope = model ? { model } : {};
  switch (command) {
    case "none":
      core.info("Nothing to do for this event.");
      return {};
    case "check": {
      // Posting the sticky comment arrives with the GitHub layer; until then the
      // report goes to the job summary and the outputs.
      const result = await check(ctx, scope);
      if (!result.run.ok) throw new GateFailure(`pipeline failed at stage "${result.run.failed_stage}"`);
      return outcomeOf(result.report!);
    }
    case "report": {
      if (!dryRun)
        throw notAvailableYet("report (posting to GitHub)", "issue #5; set dry-run: true to render");
      return outcomeOf(await report(ctx, { ...scope, dryRun: true }));
    }
    case "validate-data": {
      const r = await validateDatasets(ctx);
      if (!r.ok) throw new GateFailure(`${r.failed_checks} data checks failed`);
      return {};
    }
    case "run": {
      const r = await runPipeline(ctx);
      if (!r.ok) throw new GateFailure(`pipeline failed at stage "${r.failed_stage}"`);
      return {};
    }
    case "evaluate":
      await evaluateModels(ctx, scope);
      return {};
    case "validate-model": {
      const r = await validateModels(ctx, scope);
      const verdict = r.some((m) => m.verdict === "blocked")
        ? "blocked"
        : r.some((m) => m.verdict === "warnings")
          ? "warnings"
          : "ready";
      return { verdict };
    }
    case "release":
    case "promote":
    case "rollback":
    case "registry":
      throw notAvailableYet(
        `${command} on GitHub (the Releases registry)`,
        "issue #6; locally use `npx mlgate release`",
      );
    case "promotion-request":
      throw notAvailableYet("label-gated promotion", "issue #6");
    case "bot":
      throw notAvailableYet("bot (slash commands)", "issue #6");
    case "monitor":
      throw notAvailableYet("monitor", "a later issue");
    default:
      throw new UserError(
        `input command: unknown command "${command}". Use auto, check, validate-data, run, evaluate, validate-model, report, release, promote, rollback, registry, monitor or bot.`,
      );
  }
}

function outcomeOf(r: ReportResult): ActionOutcome {
  return {
    verdict: r.verdict,
    reportPath: r.reports[0]?.report_path,
    jsonPath: r.json_path,
    markdown: r.reports.map((m) => m.markdown).join("\n\n"),
    problems: r.reports,
  };
}

/** GitHub shows at most 10 error and 10 warning annotations a step; the rest are counted in one more. */
const ANNOTATIONS_PER_KIND = 10;

export function annotate(problems: { model: string; failures: string[]; warnings: string[] }[]): void {
  const errors = problems.flatMap((p) => p.failures.map((f) => `${p.model}: ${f}`));
  const warnings = problems.flatMap((p) => p.warnings.map((w) => `${p.model}: ${w}`));
  for (const [list, emit] of [
    [errors, core.error],
    [warnings, core.warning],
  ] as const) {
    const shown = list.length > ANNOTATIONS_PER_KIND ? ANNOTATIONS_PER_KIND - 1 : list.length;
    for (const message of list.slice(0, shown)) emit(message, { title: "mlgate" });
    if (list.length > shown) emit(`${list.length - shown} more (see the job summary)`, { title: "mlgate" });
  }
}

/** The job summary takes at most 1 MiB a step. */
const SUMMARY_LIMIT = 1024 * 1024;

export function capSummary(markdown: string): string {
  if (Buffer.byteLength(markdown) <= SUMMARY_LIMIT) return markdown;
  const note =
    "\n\n… (truncated to the job summary's 1 MiB limit; the full report is in the results artifact)\n";
  let cut = markdown.slice(0, SUMMARY_LIMIT - Buffer.byteLength(note) - 4);
  while (Buffer.byteLength(cut) + Buffer.byteLength(note) > SUMMARY_LIMIT) cut = cut.slice(0, -1024);
  return cut + note;
}

/** A gate failed: the step fails, but this is a result, not an error in mlgate. */
export class GateFailure extends Error {}

function runUrl(): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
}

/** Entry for dist/index.js: never throws; failures become `core.setFailed`. */
export async function run(): Promise<void> {
  core.setOutput("version", MLGATE_VERSION);
  try {
    const outcome = await runAction();
    if (outcome.verdict) core.setOutput("verdict", outcome.verdict);
    if (outcome.reportPath) core.setOutput("report-path", outcome.reportPath);
    if (outcome.jsonPath) core.setOutput("json-path", outcome.jsonPath);
    if (outcome.markdown && process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(capSummary(outcome.markdown), true).write();
    }
    annotate(outcome.problems ?? []);
    if (outcome.verdict === "blocked") core.setFailed("mlgate: blocked — a gate failed (see the report).");
  } catch (e) {
    if (e instanceof UserError) {
      // setFailed annotates its message too: one annotation per problem, no duplicates
      if (e.problems.length > 1) for (const line of e.problems) core.error(line);
      core.setFailed(
        e.problems.length === 1 ? e.problems[0]! : `mlgate: ${e.problems.length} problems (see above)`,
      );
    } else if (e instanceof GateFailure) {
      core.setFailed(`mlgate: ${e.message}`);
    } else {
      core.setFailed(`mlgate internal error: ${(e as Error)?.stack ?? String(e)}`);
    }
  }
}
