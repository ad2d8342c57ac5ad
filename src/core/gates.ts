/**
 * Metric comparison with a baseline and the gate decision (PRODUCT.md §2 models).
 *
 * Thresholds follow MLflow's `MetricThreshold` (mlflow/models/evaluation/validation.py):
 * - `min` / `max` is MLflow's `threshold` (≥ for higher-is-better, ≤ for lower; we allow both bounds);
 * - `min_improvement` is `min_absolute_change`: pass iff cur ≥ base + c (higher) or cur ≤ base − c (lower),
 *   the sum rounded to float64 first as MLflow does;
 * - `min_improvement_relative` is `min_relative_change`: (cur − base) / base ≥ r (higher) or
 *   (base − cur) / base ≥ r (lower) — divided by `base`, not |base|, as MLflow does; a zero baseline
 *   falls back to "better by at least 1e-10";
 * - a gated metric missing from the candidate fails; a change gate whose baseline lacks the metric fails.
 * mlgate adds the allowed regression `max_drop*` / `max_rise*` (worsening beyond it fails; a zero
 * baseline makes the relative form "not worse by more than 1e-10"), and the noise-aware rule:
 * when a paired significance test is available, a regression beyond its allowance blocks only when
 * it is significant (else it warns), and a required improvement counts only when significant.
 * Without any baseline (a first version), change gates warn "not checked" instead of MLflow's failure:
 * mlgate finds baselines itself, so "none yet" is a normal state, not a misconfiguration.
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

/** Whether a delta is real: from a paired test on the same evaluation rows. */
export interface Significance {
  ci: [number, number] | null;
  p_value: number | null;
  test: string;
  significant: boolean | null;
}

export interface MetricRow {
  metric: string;
  higherIsBetter: boolean;
  gated: boolean;
  current: number | null;
  baseline: number | null;
  delta: number | null;
  relative: number | null;
  /** The paired test of the delta; null when there is none (no baseline predictions, custom metric). */
  significance: Significance | null;
  status: GateStatus;
  reasons: string[];
}

/** MLflow's tolerance for "better than a zero baseline". */
const ZERO_BASELINE_EPSILON = 1e-10;

export function compareMetrics(
  current: Record<string, number | null>,
  baseline: BaselineRef | null,
  gates: Record<string, MetricGateConfig>,
  significance: Record<string, Significance> = {},
): MetricRow[] {
  const names = [...Object.keys(gates), ...Object.keys(current).filter((m) => !(m in gates))];
  return names.map((metric) => {
    const gate = gates[metric];
    const cur = current[metric] ?? null;
    const base = baseline ? (baseline.metrics[metric] ?? null) : null;
    const delta = cur !== null && base !== null ? cur - base : null;
    const relative = delta !== null && base !== null && base !== 0 ? delta / Math.abs(base) : null;
    const row: MetricRow = {
      metric,
      higherIsBetter: metricDirection(metric, gate ?? {}),
      gated: gate !== undefined,
      current: cur,
      baseline: base,
      delta,
      relative,
      significance: significance[metric] ?? null,
      status: "none",
      reasons: [],
    };
    if (gate) applyGate(row, gate, baseline !== null);
    return row;
  });
}

function applyGate(row: MetricRow, gate: MetricGateConfig, hasBaseline: boolean): void {
  const failures: string[] = [];
  const warnings: string[] = [];
  const { current: cur, baseline: base, higherIsBetter: up } = row;
  if (cur === null) {
    row.status = "fail";
    row.reasons = ["metric missing"];
    return;
  }
  if (gate.min !== undefined && !(cur >= gate.min)) failures.push(`< min ${gate.min}`);
  if (gate.max !== undefined && !(cur <= gate.max)) failures.push(`> max ${gate.max}`);

  const allowedAbs = up ? gate.max_drop : gate.max_rise;
  const allowedRel = up ? gate.max_drop_relative : gate.max_rise_relative;
  const changeGates = [allowedAbs, allowedRel, gate.min_improvement, gate.min_improvement_relative];
  if (changeGates.every((g) => g === undefined)) {
    // thresholds only
  } else if (!hasBaseline) {
    warnings.push("no baseline: change gates not checked");
  } else if (base === null) {
    failures.push("baseline lacks this metric");
  } else {
    const noise = row.significance?.significant === false;
    const word = up ? "drop" : "rise";
    const exceeded: string[] = [];
    // worse by more than allowed (absolute)
    if (allowedAbs !== undefined && (up ? base - cur : cur - base) > allowedAbs)
      exceeded.push(`${word} > ${allowedAbs}`);
    if (allowedRel !== undefined) {
      const worse =
        base === 0
          ? up
            ? cur < base - ZERO_BASELINE_EPSILON
            : cur > base + ZERO_BASELINE_EPSILON
          : (up ? base - cur : cur - base) / Math.abs(base) > allowedRel;
      if (worse) exceeded.push(`${word} > ${percent(allowedRel)}`);
    }
    if (exceeded.length > 0) {
      if (noise) warnings.push(...exceeded.map((e) => `${e}, but within noise`));
      else failures.push(...exceeded);
    }
    // required improvement (MLflow min_absolute_change / min_relative_change)
    const missed: string[] = [];
    if (gate.min_improvement !== undefined) {
      const target = up ? base + gate.min_improvement : base - gate.min_improvement;
      if (!(up ? cur >= target : cur <= target)) missed.push(`improvement < ${gate.min_improvement}`);
    }
    if (gate.min_improvement_relative !== undefined) {
      const ok =
        base === 0
          ? up
            ? cur >= base + ZERO_BASELINE_EPSILON
            : cur <= base - ZERO_BASELINE_EPSILON
          : (up ? (cur - base) / base : (base - cur) / base) >= gate.min_improvement_relative;
      if (!ok) missed.push(`improvement < ${percent(gate.min_improvement_relative)}`);
    }
    failures.push(...missed);
    const wantsGain = gate.min_improvement !== undefined || gate.min_improvement_relative !== undefined;
    if (wantsGain && missed.length === 0 && noise) failures.push("improvement not significant");
  }
  row.reasons = [...failures, ...warnings];
  row.status = failures.length > 0 ? "fail" : warnings.length > 0 ? "warn" : "pass";
}

function percent(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

/** blocked: any failed gate or check; warnings: anything not checked or noteworthy; else ready. */
export function decideVerdict(failures: number, warnings: number): Verdict {
  if (failures > 0) return "blocked";
  return warnings > 0 ? "warnings" : "ready";
}
