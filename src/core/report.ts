/**
 * The PR comment (PRODUCT.md §4) as a pure function of the results.
 * Everything that came from the PR (names, values, paths) goes through
 * `escapeMarkdown`; only our own fixed text is written raw.
 */

import type { DatasetDriftResult } from "./dataset-drift.js";
import type { DriftMethod } from "./drift.js";
import type { MetricRow, Verdict } from "./gates.js";
import { code, details, escapeMarkdown as esc, escapeHtmlText as escHtml, table } from "./markdown.js";
import type { ParamChange } from "./params-diff.js";
import type { RowDiff } from "./row-diff.js";
import type { CheckResult } from "./schema-check.js";

export const COMMENT_LIMIT = 65_536;

export interface ReportBaseline {
  kind: "production" | "base";
  version: number;
  commit: string;
  /** The branch name for `base`. */
  ref?: string;
}

export interface ReportDataset {
  name: string;
  path: string;
  rows: number;
  checks: CheckResult[];
  diff: {
    in_base: boolean;
    rows_before: number | null;
    rows_after: number;
    columns_added: string[];
    columns_removed: string[];
    columns_retyped: { column: string; before: string; after: string }[];
    rows: RowDiff | null;
    drift: DatasetDriftResult | null;
  } | null;
}

export interface ReportSlice {
  column: string;
  value: string;
  n: number;
  value_of_key: number | null;
  /** Gated metrics that regressed in this slice beyond the gate's allowance. */
  regressed: string[];
}

export interface ReportInput {
  model: string;
  verdict: Verdict;
  headSha: string;
  baselines: ReportBaseline[];
  /** Which baseline the Δ column and gates use. */
  gateBaseline: ReportBaseline | null;
  evalSet: { path: string; rows: number; sameAsBaseline: boolean | null };
  metrics: MetricRow[];
  ci: Record<string, [number, number]>;
  failures: string[];
  warnings: string[];
  data: ReportDataset[];
  params: ParamChange[];
  artifact: { bytes: number; baselineBytes: number | null } | null;
  keyMetric: string | null;
  slices: ReportSlice[];
  /** Key metric over registry versions, oldest first, then this PR. */
  trend: { label: string; value: number | null }[];
  stages: { name: string; label: string }[];
  /** Where the full report lives when the comment must be cut. */
  fullReportUrl: string | null;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  ready: "✅ ready",
  warnings: "⚠️ warnings",
  blocked: "❌ blocked",
};

export function renderReport(input: ReportInput, limit = COMMENT_LIMIT): string {
  const full = renderSections(input, 200);
  if (full.length <= limit) return full;
  const compact = renderSections(input, 10);
  if (compact.length <= limit) return compact;
  const marker = footer(input);
  const link = input.fullReportUrl
    ? ` See the [full report](${input.fullReportUrl}).`
    : " See the job summary for the full report.";
  const note = `\n\n… (truncated to fit GitHub's comment limit).${link}\n${marker}`;
  return compact.slice(0, limit - note.length) + note;
}

function renderSections(input: ReportInput, maxRows: number): string {
  const parts = [
    title(input),
    comparedWith(input),
    metricTable(input),
    extraMetrics(input),
    problems(input, maxRows),
    dataSection(input, maxRows),
    changesSection(input, maxRows),
    trendSection(input),
    nextSteps(input),
    footer(input),
  ];
  return parts.filter((p) => p !== "").join("\n\n");
}

function title(input: ReportInput): string {
  const failed = input.failures.length;
  const why =
    input.verdict === "blocked"
      ? ` (${failed} ${failed === 1 ? "gate" : "gates"} failed)`
      : input.verdict === "warnings"
        ? ` (${input.warnings.length} ${input.warnings.length === 1 ? "warning" : "warnings"})`
        : "";
  return `### ${VERDICT_TEXT[input.verdict].split(" ")[0]} mlgate · ${esc(input.model)} — ${input.verdict}${why}`;
}

function comparedWith(input: ReportInput): string {
  const names = input.baselines.map(
    (b) =>
      `**${b.kind === "production" ? "production" : esc(b.ref ?? "base")}** ${code(`${input.model}-v${b.version}`)} (${code(b.commit.slice(0, 7))})`,
  );
  const against = names.length
    ? `Compared with ${names.join(" and ")}`
    : "No baseline yet (first version of this model)";
  const same =
    input.evalSet.sameAsBaseline === null
      ? ""
      : input.evalSet.sameAsBaseline
        ? ", same as baseline"
        : ", **differs from the baseline's**";
  return `${against} · eval set ${code(input.evalSet.path)} ${fmtInt(input.evalSet.rows)} rows${same} · head ${code(input.headSha.slice(0, 7))}`;
}

function metricTable(input: ReportInput): string {
  const rows = input.metrics.filter((m) => m.gated);
  if (rows.length === 0) return "_No metric gates configured._";
  const base = input.gateBaseline;
  const baseHeader = base
    ? `${base.kind === "production" ? "production" : esc(base.ref ?? "base")} v${base.version}`
    : "baseline";
  // with a paired test: the CI of the delta and its label (the mock-up's columns); else this PR's own CI
  const paired = rows.some((r) => r.significance);
  const withCi = !paired && rows.some((r) => input.ci[r.metric]);
  const header = [
    "metric",
    baseHeader,
    "this PR",
    "Δ",
    ...(paired ? ["95% CI of Δ", ""] : withCi ? ["95% CI (this PR)"] : []),
    "gate",
  ];
  const align: ("l" | "r")[] = [
    "l",
    "r",
    "r",
    "r",
    ...(paired ? (["l", "l"] as const) : withCi ? (["l"] as const) : []),
    "l",
  ];
  return table(
    header,
    align,
    rows.map((r) => [
      `${esc(r.metric)} ${r.higherIsBetter ? "↑" : "↓"}`,
      fmt(r.baseline),
      fmt(r.current),
      fmtDelta(r),
      ...(paired
        ? [fmtCi(r.significance?.ci ?? undefined, true), significanceLabel(r)]
        : withCi
          ? [fmtCi(input.ci[r.metric])]
          : []),
      gateCell(r),
    ]),
  );
}

function significanceLabel(r: MetricRow): string {
  const s = r.significance;
  if (!s || s.significant === null) return "–";
  return s.significant ? "significant" : "noise";
}

function extraMetrics(input: ReportInput): string {
  const rows = input.metrics.filter((m) => !m.gated);
  if (rows.length === 0) return "";
  const body = table(
    ["metric", "baseline", "this PR", "Δ"],
    ["l", "r", "r", "r"],
    rows.map((r) => [
      `${esc(r.metric)} ${r.higherIsBetter ? "↑" : "↓"}`,
      fmt(r.baseline),
      fmt(r.current),
      fmtDelta(r),
    ]),
  );
  const changed = rows.filter((r) => r.delta !== null && Math.abs(r.delta) > 1e-12).length;
  return details(
    `${rows.length} more ${rows.length === 1 ? "metric" : "metrics"} (no gate)${input.gateBaseline ? `, ${changed} changed` : ""}`,
    body,
  );
}

function problems(input: ReportInput, maxRows: number): string {
  const metricNames = new Set(input.metrics.map((m) => m.metric));
  const other = input.failures.filter((f) => !metricNames.has(f.split(":")[0] ?? ""));
  const lines = [
    ...other.slice(0, maxRows).map((f) => `- ❌ ${esc(f, 300)}`),
    ...input.warnings.slice(0, maxRows).map((w) => `- ⚠️ ${esc(w, 300)}`),
  ];
  return lines.join("\n");
}

function dataSection(input: ReportInput, maxRows: number): string {
  if (input.data.length === 0) return "";
  const failed = input.data.flatMap((d) => d.checks.filter((c) => !c.ok).map((c) => ({ d, c })));
  const summaryParts = [
    failed.length === 0
      ? "all checks passed"
      : `${failed.length} ${failed.length === 1 ? "check" : "checks"} failed`,
  ];
  const changes: string[] = [];
  for (const d of input.data) {
    if (!d.diff) continue;
    if (!d.diff.in_base) {
      changes.push(`${escHtml(d.name)}: new dataset`);
      continue;
    }
    const delta = d.diff.rows_before === null ? null : d.diff.rows_after - d.diff.rows_before;
    const bits: string[] = [];
    const rows = d.diff.rows;
    if (rows && !rows.skipped && rows.added + rows.removed + (rows.changed ?? 0) > 0)
      bits.push(`rows ${rowChange(rows)}`);
    else if (delta) bits.push(`${delta > 0 ? "+" : "−"}${fmtInt(Math.abs(delta))} rows`);
    if (d.diff.columns_added.length) bits.push(`${d.diff.columns_added.length} column(s) added`);
    if (d.diff.columns_removed.length) bits.push(`${d.diff.columns_removed.length} column(s) removed`);
    if (d.diff.columns_retyped.length) bits.push(`${d.diff.columns_retyped.length} column(s) retyped`);
    if (bits.length) changes.push(`${escHtml(d.name)}: ${bits.join(", ")}`);
  }
  const drifts = input.data.flatMap((d) => (d.diff?.drift ? [d.diff.drift] : []));
  if (drifts.length) {
    const drifted = drifts.reduce((n, x) => n + x.drifted_columns, 0);
    const tested = drifts.reduce((n, x) => n + x.columns.length, 0);
    summaryParts.push(drifted ? `drift in ${drifted} of ${tested} columns` : `no drift in ${tested} columns`);
  }
  summaryParts.push(changes.length ? changes.join("; ") : "no shape change vs base");
  const icon = failed.length ? "❌" : "📊";
  const checkRows = failed
    .slice(0, maxRows)
    .map(({ d, c }) => [
      esc(`${c.check}${c.expected ? ` ${c.expected}` : ""}`),
      esc(c.column ?? "(table)"),
      esc(d.name),
      `❌ ${esc(checkResultText(c), 300)}`,
    ]);
  const shapeRows = input.data.map((d) => [
    esc(d.name),
    code(d.path),
    d.diff?.rows_before === null || d.diff === null ? "–" : fmtInt(d.diff.rows_before),
    fmtInt(d.rows),
    d.diff?.rows
      ? d.diff.rows.skipped
        ? `not diffed (${esc(d.diff.rows.skipped)})`
        : rowChange(d.diff.rows)
      : "–",
    d.diff
      ? esc(
          [
            ...d.diff.columns_added.map((c) => `+${c}`),
            ...d.diff.columns_removed.map((c) => `−${c}`),
            ...d.diff.columns_retyped.map((t) => `${t.column}: ${t.before}→${t.after}`),
          ].join(", ") || "–",
        )
      : "–",
  ]);
  const body = [
    failed.length ? table(["check", "column", "dataset", "result"], ["l", "l", "l", "l"], checkRows) : "",
    failed.length > maxRows ? `… and ${failed.length - maxRows} more failed checks.` : "",
    table(
      ["dataset", "path", "rows (base)", "rows (PR)", "rows added / removed / changed", "columns"],
      ["l", "l", "r", "r", "l", "l"],
      shapeRows,
    ),
    ...input.data.flatMap((d) => changedKeys(d)),
    driftTable(input.data, maxRows),
  ]
    .filter(Boolean)
    .join("\n\n");
  return details(`${icon} Data: ${summaryParts.join(" · ")}`, body, failed.length > 0);
}

const METHOD_NAMES: Record<DriftMethod, string> = {
  ks: "Kolmogorov–Smirnov (p)",
  chisquare: "chi-square (p)",
  z: "Z-test (p)",
  wasserstein: "Wasserstein (normed)",
  jensenshannon: "Jensen–Shannon",
  psi: "PSI",
  kl: "KL divergence",
  hellinger: "Hellinger",
};

function driftTable(data: ReportDataset[], maxRows: number): string {
  const rows = data.flatMap((d) =>
    (d.diff?.drift?.columns ?? [])
      .filter((c) => c.drifted)
      .map((c) => [
        esc(c.name),
        esc(d.name),
        METHOD_NAMES[c.method],
        fmt(c.method === "wasserstein" || c.p_value === null ? c.statistic : c.p_value),
        String(c.threshold),
      ]),
  );
  if (rows.length === 0) return "";
  const more = rows.length > maxRows ? `\n\n… and ${rows.length - maxRows} more drifted columns.` : "";
  return (
    table(
      ["drifted column", "dataset", "method", "score", "threshold"],
      ["l", "l", "l", "r", "r"],
      rows.slice(0, maxRows),
    ) + more
  );
}

function rowChange(r: RowDiff): string {
  const changed = r.changed === null ? "" : ` / ~${fmtInt(r.changed)}`;
  return `+${fmtInt(r.added)} / −${fmtInt(r.removed)}${changed}${r.by === "row-hash" ? " (by row hash)" : ""}`;
}

function changedKeys(d: ReportDataset): string[] {
  const r = d.diff?.rows;
  if (!r?.key || r.skipped) return [];
  const parts = (["added", "removed", "changed"] as const)
    .filter((k) => r.samples[k].length > 0)
    .map(
      (k) =>
        `${k} ${r.samples[k].map((v) => code(v, 40)).join(", ")}${r.samples[k].length < (r[k] ?? 0) ? ", …" : ""}`,
    );
  return parts.length ? [`${esc(d.name)} by ${esc(r.key.join(", "))}: ${parts.join(" · ")}`] : [];
}

function checkResultText(c: CheckResult): string {
  const observed = c.observed ? `${c.observed} ` : "";
  const count = `${fmtInt(c.unexpected_count)} of ${fmtInt(c.element_count)} (${c.unexpected_percent.toFixed(2)}%)`;
  const samples = c.samples.length
    ? `; first at rows ${c.samples.map((s) => `${s.row} (${s.value})`).join(", ")}`
    : "";
  return `${observed}${count}${samples}`;
}

function changesSection(input: ReportInput, maxRows: number): string {
  const heads: string[] = [];
  const bodies: string[] = [];
  if (input.params.length) {
    heads.push(`⚙️ Params changed (${input.params.length})`);
    bodies.push(
      table(
        ["param", "base", "this PR"],
        ["l", "r", "r"],
        input.params.slice(0, maxRows).map((p) => [esc(p.key), fmtParam(p.old), fmtParam(p.new)]),
      ),
    );
  }
  const slices = input.slices;
  if (slices.length && input.keyMetric) {
    const regressed = slices.filter((s) => s.regressed.length > 0);
    // regressed slices first, so they survive the row cap
    const ordered = [...regressed, ...slices.filter((s) => s.regressed.length === 0)];
    heads.push(
      regressed.length
        ? `🧩 slices: ${regressed
            .slice(0, 3)
            .map((s) => `${escHtml(s.column)}=${escHtml(s.value)}`)
            .join(", ")}${regressed.length > 3 ? ` and ${regressed.length - 3} more` : ""} regressed`
        : `🧩 ${slices.length} slices`,
    );
    bodies.push(
      table(
        ["slice", "rows", `${esc(input.keyMetric)}`, "regressed beyond the gate"],
        ["l", "r", "r", "l"],
        ordered
          .slice(0, maxRows)
          .map((s) => [
            `${esc(s.column)}=${esc(s.value)}`,
            fmtInt(s.n),
            fmt(s.value_of_key),
            s.regressed.length ? `⚠️ ${s.regressed.map((m) => esc(m)).join(", ")}` : "",
          ]),
      ),
    );
  }
  if (input.artifact) {
    const { bytes, baselineBytes } = input.artifact;
    const change =
      baselineBytes === null
        ? ""
        : ` (${bytes >= baselineBytes ? "+" : "−"}${fmtBytes(Math.abs(bytes - baselineBytes))})`;
    heads.push(`📦 model ${fmtBytes(bytes)}${change}`);
  }
  if (heads.length === 0) return "";
  return details(heads.join(" · "), bodies.join("\n\n") || "_Nothing else changed._");
}

function trendSection(input: ReportInput): string {
  const points = input.trend.filter((p) => p.value !== null) as { label: string; value: number }[];
  if (points.length < 2 || !input.keyMetric) return "";
  const values = points.map((p) => p.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.01 || 0.01;
  const name = input.keyMetric.replace(/[^A-Za-z0-9_]/g, "_");
  const chart = [
    "```mermaid",
    "xychart-beta",
    `  title "${name}"`,
    `  x-axis [${points.map((p) => `"${p.label.replace(/[^A-Za-z0-9_. -]/g, "")}"`).join(", ")}]`,
    `  y-axis "${name}" ${round(lo - pad)} --> ${round(hi + pad)}`,
    `  line [${values.map(round).join(", ")}]`,
    "```",
  ].join("\n");
  const numbers = table(
    ["version", esc(input.keyMetric)],
    ["l", "r"],
    points.map((p) => [esc(p.label), fmt(p.value)]),
  );
  const versions = points.length - 1;
  return details(
    `📈 ${escHtml(input.keyMetric)} over the last ${versions} ${versions === 1 ? "version" : "versions"} and this PR`,
    `${chart}\n\n${numbers}`,
  );
}

function nextSteps(input: ReportInput): string {
  const labels = input.stages.map((s) => code(s.label)).join(" or ");
  if (input.verdict === "blocked") {
    return "**Next:** fix the failing gates and push; promotion is blocked while a gate fails.";
  }
  const first = input.stages[0];
  const command = first ? ` or comment ${code(`/mlgate promote ${first.name}`)}` : "";
  return `**Next:** to promote on merge, add the label ${labels}${command}.`;
}

function footer(input: ReportInput): string {
  return `<!-- mlgate:report model=${input.model} sha=${input.headSha} -->`;
}

function gateCell(r: MetricRow): string {
  if (r.status === "pass") return "✅";
  if (r.status === "fail") return `❌ ${esc(r.reasons.join("; "))}`;
  if (r.status === "warn") return `⚠️ ${esc(r.reasons.join("; "))}`;
  return "";
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 1000) return minus(x.toLocaleString("en-US", { maximumFractionDigits: 1 }));
  return minus(x.toFixed(4));
}

function fmtDelta(r: MetricRow): string {
  if (r.delta === null) return "–";
  const sign = r.delta > 0 ? "+" : r.delta < 0 ? "−" : "±";
  const abs = Math.abs(r.delta);
  const rel =
    r.relative === null
      ? ""
      : ` (${r.relative > 0 ? "+" : r.relative < 0 ? "−" : "±"}${Math.abs(r.relative * 100).toFixed(1)}%)`;
  return `${sign}${abs >= 1000 ? abs.toLocaleString("en-US", { maximumFractionDigits: 1 }) : abs.toFixed(4)}${rel}`;
}

function fmtCi(ci: [number, number] | undefined, signed = false): string {
  if (!ci) return "–";
  const f = (x: number) => (signed && x > 0 ? `+${fmt(x)}` : fmt(x));
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

function fmtParam(v: ParamChange["old"]): string {
  return v === undefined ? "–" : esc(String(v));
}

function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}

function fmtBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function minus(s: string): string {
  return s.replace(/^-/, "−");
}
