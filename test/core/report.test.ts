import { describe, expect, it } from "vitest";
import { compareMetrics } from "../../src/core/gates.js";
import { COMMENT_LIMIT, type ReportInput, renderReport } from "../../src/core/report.js";
import type { CheckResult } from "../../src/core/schema-check.js";

const HEAD = "4db5d7399643eaebd3cf0be3c2a628505b84e385";
const production = {
  kind: "production" as const,
  version: 12,
  commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
};

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  const metrics = compareMetrics(
    { roc_auc: 0.949, f1: 0.8185, log_loss: 0.3092, accuracy: 0.9 },
    { ...production, metrics: { roc_auc: 0.9551, f1: 0.812, log_loss: 0.311, accuracy: 0.9 } },
    { roc_auc: { min: 0.8, max_drop: 0.005 }, f1: { max_drop: 0.01 }, log_loss: { max_rise_relative: 0.05 } },
  );
  return {
    model: "churn",
    verdict: "blocked",
    headSha: HEAD,
    baselines: [production],
    gateBaseline: production,
    evalSet: { path: "data/test.csv", rows: 4812, sameAsBaseline: true },
    metrics,
    ci: {},
    failures: ["roc_auc: drop > 0.005"],
    warnings: [],
    data: [],
    params: [{ key: "train.lr", old: 0.1, new: 0.05 }],
    artifact: { bytes: 48_100_000, baselineBytes: 47_800_000 },
    keyMetric: "roc_auc",
    slices: [],
    trend: [
      { label: "v11", value: 0.95 },
      { label: "v12", value: 0.9551 },
      { label: "PR", value: 0.949 },
    ],
    stages: [
      { name: "staging", label: "promote:staging" },
      { name: "production", label: "promote:production" },
    ],
    fullReportUrl: null,
    ...overrides,
  };
}

const failedCheck = (column: string): CheckResult => ({
  check: "max_null_share",
  column,
  expected: "≤ 0.01",
  ok: false,
  element_count: 4812,
  unexpected_count: 164,
  unexpected_percent: 3.41,
  observed: "0.034",
  samples: [
    { row: 12, line: 13, value: "" },
    { row: 40, line: 41, value: "" },
  ],
});

describe("renderReport", () => {
  it("blocked", async () => {
    await expect(renderReport(input())).toMatchFileSnapshot("__snapshots__/report-blocked.md");
  });

  it("ready", async () => {
    const ready = input({
      verdict: "ready",
      failures: [],
      metrics: compareMetrics(
        { roc_auc: 0.96 },
        { ...production, metrics: { roc_auc: 0.9551 } },
        { roc_auc: { max_drop: 0.005 } },
      ),
    });
    await expect(renderReport(ready)).toMatchFileSnapshot("__snapshots__/report-ready.md");
  });

  it("warnings", async () => {
    const warned = input({
      verdict: "warnings",
      failures: [],
      warnings: ["roc_auc: no baseline: change gates not checked"],
    });
    await expect(renderReport(warned)).toMatchFileSnapshot("__snapshots__/report-warnings.md");
  });

  it("no baseline", async () => {
    const first = input({
      verdict: "warnings",
      baselines: [],
      gateBaseline: null,
      failures: [],
      warnings: ["roc_auc: no baseline: change gates not checked"],
      metrics: compareMetrics({ roc_auc: 0.96 }, null, { roc_auc: { max_drop: 0.005 } }),
      evalSet: { path: "data/test.csv", rows: 4812, sameAsBaseline: null },
      params: [],
      artifact: { bytes: 1200, baselineBytes: null },
      trend: [{ label: "PR", value: 0.96 }],
    });
    const md = renderReport(first);
    expect(md).toContain("No baseline yet");
    expect(md).not.toContain("mermaid");
    await expect(md).toMatchFileSnapshot("__snapshots__/report-no-baseline.md");
  });

  it("hostile names from the PR render inert", async () => {
    const evil = "<img src=x onerror=alert(1)>|@octo-org/admins [x](https://evil.example) #1";
    const md = renderReport(
      input({
        metrics: compareMetrics({ [evil]: 1 }, null, { [evil]: { higher_is_better: true, min: 2 } }),
        data: [
          {
            name: evil,
            path: "data/<b>.csv",
            rows: 10,
            checks: [failedCheck(evil)],
            diff: {
              in_base: true,
              rows_before: 8,
              rows_after: 10,
              columns_added: [evil],
              columns_removed: [],
              columns_retyped: [{ column: evil, before: "integer", after: "string" }],
              rows: {
                by: "key",
                key: [evil],
                added: 3,
                removed: 1,
                changed: 1,
                unchanged: 6,
                duplicate_keys: 0,
                samples: { added: [evil, "`|`", "x"], removed: ["@admin"], changed: ["<script>"] },
                skipped: null,
              },
              drift: {
                columns: [
                  {
                    name: evil,
                    kind: "categorical",
                    method: "jensenshannon",
                    statistic: 0.121,
                    p_value: null,
                    threshold: 0.1,
                    drifted: true,
                  },
                ],
                skipped: [],
                drifted_columns: 1,
                share_drifted: 1,
                dataset_drifted: true,
              },
            },
          },
        ],
        params: [{ key: evil, old: evil, new: "@here" }],
        slices: [{ column: evil, value: evil, n: 3, value_of_key: 0.5, regressed: [evil] }],
      }),
    );
    // our own markup and code spans (inert by construction) aside, nothing may be live
    const text = md.replace(
      /<\/?(details|summary)>|<details open>|<!-- mlgate:report [^>]+ -->|`[^`\n]*`/g,
      "",
    );
    expect(text).not.toMatch(/<|>(?!\s)/);
    expect(text).not.toMatch(/@[A-Za-z]/);
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toMatch(/\]\(https?:/);
    // every table row keeps its column count
    for (const block of md.split("\n\n")) {
      const rows = block.split("\n").filter((l) => l.startsWith("|"));
      const counts = new Set(rows.map((r) => r.replace(/\\\|/g, "").split("|").length));
      expect(counts.size).toBeLessThanOrEqual(1);
    }
    await expect(md).toMatchFileSnapshot("__snapshots__/report-hostile.md");
  });

  it("a huge report collapses, then truncates under GitHub's limit with a link", () => {
    const checks = Array.from({ length: 3000 }, (_, i) => failedCheck(`column_${i}_${"x".repeat(60)}`));
    const md = renderReport(
      input({
        data: [{ name: "big", path: "big.csv", rows: 1e6, checks, diff: null }],
        failures: checks.map((c) => `data big.${c.column}: max_null_share`),
        fullReportUrl: "https://github.com/o/r/actions/runs/1",
      }),
    );
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md).toMatch(/… and \d+ more failed checks\./);
    expect(md.endsWith(`<!-- mlgate:report model=churn sha=${HEAD} -->`)).toBe(true);
    const cut = renderReport(input({ fullReportUrl: "https://github.com/o/r/actions/runs/1" }), 800);
    expect(cut.length).toBeLessThanOrEqual(800);
    expect(cut).toContain(
      "truncated to fit GitHub's comment limit). See the [full report](https://github.com/o/r/actions/runs/1).",
    );
    expect(cut.endsWith(`<!-- mlgate:report model=churn sha=${HEAD} -->`)).toBe(true);
  });
});
