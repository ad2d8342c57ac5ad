/**
 * Metric comparison with a baseline and the gate decision (PRODUCT.md §2 models).
 * Threshold semantics follow MLflow's MetricThreshold: an absolute threshold,
 * an allowed change vs the baseline, and a required improvement.
 */
import type { MetricGateConfig } from "../config.js";
import { metricDirection } from "../config.js";

export type Verdict = "ready" | "warnings" | "blocked";
export type GateStatus = "pass" | "fail" | "warn" | "none";

export interface BaselineRef {
  kind: "production" | "base";
  version: number;
  commit: string;
  metrics: Record<string, number | null>;
}

export interface MetricRow {
  metric: string;
  higherIsBetter: boolean;
  gated: boolean;
  current: number | null;
  baseline: number | null;
  delta: number | null;
  relative: number | null;
  status: GateStatus;
  reasons: string[];
}

export function compareMetrics(
  current: Record<string, number | null>,
  baseline: BaselineRef | null,
  gates: Record<string, MetricGateConfig>,
): MetricRow[] {
  const names = [...Object.keys(gates), ...Object.keys(current).filter((m) => !(m in gates))];
  return names.map((metric) => {
    const gate = gates[metric];
    const cur = current[metric] ?? null;
    const base = baseline ? (baseline.metrics[metric] ?? null) : null;
    const delta = cur !== null && base !== null ? cur - base : null;
    const relative = delta !== null && base !== null && base !== 0 ? delta / Math.abs(base) : null;
    const higherIsBetter = metricDirection(metric, gate ?? {});
    const row: MetricRow = {
      metric,
      higherIsBetter,
      gated: gate !== undefined,
      current: cur,
      baseline: base,
      delta,
      relative,
      status: "none",
      reasons: [],
    };
    if (gate) applyGate(row, gate, baseline !== null);
    return row;
  });
}

function applyGate(row: MetricRow, gate: MetricGateConfig, hasBaseline: boolean): void {
  const fail = (reason: string) => row.reasons.push(reason);
  const warn: string[] = [];
  const { current: cur, baseline: base, delta, higherIsBetter: up } = row;
  if (cur === null) {
    fail("metric missing");
    row.status = "fail";
    return;
  }
  if (gate.min !== undefined && cur < gate.min) fail(`< min ${gate.min}`);
  if (gate.max !== undefined && cur > gate.max) fail(`> max ${gate.max}`);

  const worsening = delta === null ? null : up ? -delta : delta; // > 0 means worse
  const allowedAbs = up ? gate.max_drop : gate.max_rise;
  const allowedRel = up ? gate.max_drop_relative : gate.max_rise_relative;
  const word = up ? "drop" : "rise";
  const relativeGates = [allowedAbs, allowedRel, gate.min_improvement, gate.min_improvement_relative];
  if (!hasBaseline) {
    if (relativeGates.some((g) => g !== undefined)) warn.push("no baseline: change gates not checked");
  } else if (base === null || worsening === null) {
    if (relativeGates.some((g) => g !== undefined)) warn.push("baseline lacks this metric");
  } else {
    if (allowedAbs !== undefined && worsening > allowedAbs) fail(`${word} > ${allowedAbs}`);
    // MLflow: a relative rule against a zero baseline cannot be evaluated as a ratio;
    // any worsening then counts as exceeding it.
    const relWorse = base === 0 ? (worsening > 0 ? Number.POSITIVE_INFINITY : 0) : worsening / Math.abs(base);
    if (allowedRel !== undefined && relWorse > allowedRel) fail(`${word} > ${percent(allowedRel)}`);
    const gain = -worsening;
    if (gate.min_improvement !== undefined && gain < gate.min_improvement) {
      fail(`improvement < ${gate.min_improvement}`);
    }
    if (gate.min_improvement_relative !== undefined) {
      const relGain = base === 0 ? (gain > 0 ? Number.POSITIVE_INFINITY : 0) : gain / Math.abs(base);
      if (relGain < gate.min_improvement_relative)
        fail(`improvement < ${percent(gate.min_improvement_relative)}`);
    }
  }
  row.status = row.reasons.length > 0 ? "fail" : warn.length > 0 ? "warn" : "pass";
  if (row.status === "warn") row.reasons.push(...warn);
}

function percent(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

/** blocked: any failed gate or check; warnings: anything not checked or noteworthy; else ready. */
export function decideVerdict(failures: number, warnings: number): Verdict {
  if (failures > 0) return "blocked";
  return warnings > 0 ? "warnings" : "ready";
}
