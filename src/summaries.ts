/**
 * Human-readable terminal summaries of command results (the `--json` form
 * prints the result object itself). Door-side presentation only.
 */
import type { CheckResult } from "./commands/check.js";
import type { DriftResult } from "./commands/drift.js";
import type { Evaluation, ModelEvaluation } from "./commands/evaluate.js";
import type { InferSchemaResult } from "./commands/infer-schema.js";
import type { MergeProfilesResult, ProfileResult } from "./commands/profile.js";
import type { PromoteResult } from "./commands/promote.js";
import type { RegistryResult } from "./commands/registry.js";
import type { ReleaseResult } from "./commands/release.js";
import type { ReportResult } from "./commands/report.js";
import type { RunResult } from "./commands/run.js";
import type { DataResult } from "./commands/validate-data.js";
import type { ModelValidation } from "./commands/validate-model.js";
import { fmt } from "./core/report.js";

export type AnyResult =
  | CheckResult
  | DriftResult
  | ProfileResult
  | MergeProfilesResult
  | InferSchemaResult
  | Evaluation
  | ModelEvaluation[]
  | PromoteResult
  | RegistryResult
  | ReleaseResult
  | ReportResult
  | RunResult
  | DataResult
  | ModelValidation[];

export function summarize(result: AnyResult): string {
  if (Array.isArray(result)) {
    return result.map((r) => ("verdict" in r ? modelValidation(r) : evaluation(r, r.model))).join("\n\n");
  }
  if (!("command" in result)) return evaluation(result, null);
  switch (result.command) {
    case "check":
      return result.report ? reportSummary(result.report) : runSummary(result.run);
    case "run":
      return runSummary(result);
    case "validate-data":
      return dataSummary(result);
    case "report":
      return reportSummary(result);
    case "release":
      return result.releases
        .map((r) => `released ${r.model}-v${r.version} from ${r.commit.slice(0, 7)} → ${r.location}`)
        .join("\n");
    case "promote":
    case "rollback":
      return `${result.event.stage}: ${result.event.model}-v${result.event.version}${result.previous === null ? "" : ` (was v${result.previous})`}`;
    case "registry":
      return registrySummary(result);
    case "drift":
      return driftSummary(result);
    case "profile": {
      const failed = result.checks.filter((c) => !c.ok).length;
      const checks = result.checks.length
        ? `, ${result.checks.length - failed}/${result.checks.length} checks passed`
        : "";
      const shard = result.shard ? ` (shard ${result.shard.index}/${result.shard.count})` : "";
      return `profiled ${result.path}${shard}: ${result.rows} rows, ${result.columns} columns${checks} → ${result.out} (${result.reader} reader, ${result.threads} thread${result.threads === 1 ? "" : "s"})${result.note ? `\n  note: ${result.note}` : ""}`;
    }
    case "merge-profiles":
      return `merged ${result.inputs.length} profiles: ${result.rows} rows, ${result.columns} columns → ${result.out}${result.complete ? "" : " (not every shard yet)"}`;
    case "infer-schema":
      return result.written ? `wrote ${result.written} (${result.rows} rows)` : result.yaml.trimEnd();
  }
}

function evaluation(e: Evaluation, model: string | null): string {
  const width = Math.max(...Object.keys(e.metrics).map((k) => k.length), 6);
  const lines = [`${model ? `${model}: ` : ""}${e.task}, ${e.n} rows`];
  for (const [name, value] of Object.entries(e.metrics)) lines.push(`  ${name.padEnd(width)}  ${fmt(value)}`);
  for (const note of e.notes) lines.push(`  note: ${note}`);
  return lines.join("\n");
}

function modelValidation(v: ModelValidation): string {
  const lines = [`${v.model}: ${v.verdict}`];
  for (const f of v.failures) lines.push(`  ✗ ${f}`);
  for (const w of v.warnings) lines.push(`  ! ${w}`);
  const passed = v.metrics.filter((m) => m.status === "pass").length + v.artifacts.filter((a) => a.ok).length;
  lines.push(`  ${passed} checks passed`);
  return lines.join("\n");
}

function runSummary(r: RunResult): string {
  const lines = r.stages.map(
    (s) =>
      `  ${s.status === "ok" ? "✓" : s.status === "failed" ? "✗" : "·"} ${s.name} (${s.seconds.toFixed(1)}s)${s.status === "failed" ? ` exit ${s.exit_code}` : ""}`,
  );
  return [r.ok ? "pipeline ok" : `pipeline failed at stage "${r.failed_stage}"`, ...lines].join("\n");
}

function dataSummary(d: DataResult): string {
  const lines: string[] = [];
  for (const ds of d.datasets) {
    const failed = ds.checks.filter((c) => !c.ok);
    lines.push(
      `${ds.name} (${ds.path}): ${ds.rows} rows, ${ds.columns.length} columns, ${ds.checks.length - failed.length}/${ds.checks.length} checks passed`,
    );
    for (const c of failed) {
      const rows = c.samples.map((s) => s.row).join(", ");
      lines.push(
        `  ✗ ${c.column ?? "(table)"}: ${c.check} ${c.expected} — ${c.unexpected_count} of ${c.element_count}${rows ? ` (rows ${rows})` : ""}`,
      );
    }
    if (ds.diff?.in_base && ds.diff.rows_before !== null) {
      const delta = ds.diff.rows_after - ds.diff.rows_before;
      lines.push(
        `  vs base ${ds.diff.base_commit.slice(0, 7)}: ${delta >= 0 ? "+" : ""}${delta} rows${ds.diff.columns_added.length ? `, +${ds.diff.columns_added.join(", +")}` : ""}${ds.diff.columns_removed.length ? `, -${ds.diff.columns_removed.join(", -")}` : ""}`,
      );
    }
  }
  return lines.join("\n");
}

function reportSummary(r: ReportResult): string {
  return [
    ...r.reports.map((m) => m.markdown),
    `verdict: ${r.verdict} · report: ${r.reports.map((m) => m.report_path).join(", ")}`,
  ].join("\n\n");
}

function registrySummary(r: RegistryResult): string {
  switch (r.action) {
    case "list":
      if (r.models.length === 0) return "registry is empty";
      return r.models
        .map((m) => {
          const stages = Object.entries(m.stages)
            .map(([s, v]) => `${s}=v${v}`)
            .join(", ");
          return `${m.model}: ${m.versions.length} versions (latest v${m.versions.at(-1)?.version ?? "-"})${stages ? ` · ${stages}` : ""}`;
        })
        .join("\n");
    case "show": {
      const m = r.manifest;
      const lines = [
        `${m.model}-v${m.version} · commit ${m.commit.slice(0, 7)} · ${m.created_at}${r.stages.length ? ` · in ${r.stages.join(", ")}` : ""}`,
        `  verdict at release: ${m.verdict ?? "-"} · eval rows ${m.eval.rows} · parent ${m.parent_version ? `v${m.parent_version}` : "-"}`,
        ...Object.entries(m.metrics).map(([k, v]) => `  ${k}: ${fmt(v)}`),
        ...m.files.map((f) => `  file ${f.name} (${f.role}, ${f.size} B, sha256 ${f.sha256.slice(0, 12)}…)`),
      ];
      return lines.join("\n");
    }
    case "history":
      if (r.events.length === 0) return "no stage history";
      return r.events
        .map(
          (e) =>
            `${e.at} ${e.stage}: ${e.model}-v${e.version} by ${e.by}${e.rollback_from ? ` (rollback from v${e.rollback_from})` : ""}`,
        )
        .join("\n");
    case "pull":
      return [`pulled ${r.model}-v${r.version} (sha256 verified):`, ...r.files.map((f) => `  ${f}`)].join(
        "\n",
      );
  }
}

function driftSummary(d: DriftResult): string {
  const width = Math.max(6, ...d.columns.map((c) => c.name.length));
  const lines = [
    `${d.dataset_drifted ? "dataset drifted" : "no dataset drift"}: ${d.drifted_columns} of ${d.columns.length} columns drifted (share ${d.share_drifted.toFixed(2)})`,
    ...d.columns.map((c) => {
      const score =
        c.p_value !== null && c.method !== "wasserstein"
          ? `p=${fmtNumber(c.p_value)}`
          : `${fmtNumber(c.statistic)}`;
      const extra = [c.note, c.approximation].filter(Boolean).join("; ");
      return `  ${c.drifted ? "✗" : "✓"} ${c.name.padEnd(width)}  ${c.method.padEnd(13)} ${score} (threshold ${c.threshold})${extra ? `  — ${extra}` : ""}`;
    }),
    ...d.skipped.map((s) => `  · ${s.name}: skipped (${s.reason})`),
  ];
  return lines.join("\n");
}

function fmtNumber(x: number | null): string {
  if (x === null) return "–";
  return Math.abs(x) < 1e-4 && x !== 0 ? x.toExponential(2) : x.toFixed(4);
}
