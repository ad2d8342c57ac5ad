import { describe, expect, it } from "vitest";
import { type BaselineRef, compareMetrics, decideVerdict } from "../../src/core/gates.js";

const base = (metrics: Record<string, number | null>): BaselineRef => ({
  kind: "production",
  version: 3,
  commit: "abc1234",
  metrics,
});

describe("compareMetrics", () => {
  it("computes absolute and relative deltas", () => {
    const [row] = compareMetrics({ accuracy: 0.9 }, base({ accuracy: 0.8 }), { accuracy: {} });
    expect(row!.delta).toBeCloseTo(0.1, 12);
    expect(row!.relative).toBeCloseTo(0.125, 12);
    expect(row!.status).toBe("pass");
  });

  it("fails a drop beyond max_drop and passes one within it", () => {
    const gates = { accuracy: { max_drop: 0.02 } };
    expect(compareMetrics({ accuracy: 0.87 }, base({ accuracy: 0.9 }), gates)[0]!.status).toBe("fail");
    expect(compareMetrics({ accuracy: 0.89 }, base({ accuracy: 0.9 }), gates)[0]!.status).toBe("pass");
  });

  it("lower-is-better metrics gate on a rise", () => {
    const gates = { log_loss: { max_rise_relative: 0.1 } };
    const [worse] = compareMetrics({ log_loss: 0.5 }, base({ log_loss: 0.4 }), gates);
    expect(worse!.status).toBe("fail");
    expect(worse!.reasons[0]).toBe("rise > 10%");
    expect(compareMetrics({ log_loss: 0.3 }, base({ log_loss: 0.4 }), gates)[0]!.status).toBe("pass");
  });

  it("absolute thresholds apply without a baseline; change gates then warn", () => {
    const gates = { roc_auc: { min: 0.9, max_drop: 0.01 } };
    expect(compareMetrics({ roc_auc: 0.85 }, null, gates)[0]!.status).toBe("fail");
    const [row] = compareMetrics({ roc_auc: 0.95 }, null, gates);
    expect(row!.status).toBe("warn");
    expect(row!.reasons).toEqual(["no baseline: change gates not checked"]);
  });

  it("a missing (null) gated metric fails", () => {
    expect(compareMetrics({ roc_auc: null }, null, { roc_auc: { min: 0.5 } })[0]!.reasons).toEqual([
      "metric missing",
    ]);
  });

  it("required improvement (MLflow min_absolute_change / min_relative_change)", () => {
    const gates = { f1: { min_improvement: 0.01, min_improvement_relative: 0.05 } };
    expect(compareMetrics({ f1: 0.805 }, base({ f1: 0.8 }), gates)[0]!.reasons).toEqual([
      "improvement < 0.01",
      "improvement < 5%",
    ]);
    expect(compareMetrics({ f1: 0.9 }, base({ f1: 0.8 }), gates)[0]!.status).toBe("pass");
  });

  it("a zero baseline has no relative delta; any worsening breaks a relative allowance", () => {
    const [row] = compareMetrics({ mae: 0.1 }, base({ mae: 0 }), { mae: { max_rise_relative: 0.5 } });
    expect(row!.relative).toBeNull();
    expect(row!.status).toBe("fail");
  });

  it("ungated metrics are listed after gated ones, without a status", () => {
    const rows = compareMetrics({ a_metric: 1, accuracy: 0.9 }, null, { accuracy: {} });
    expect(rows.map((r) => [r.metric, r.gated, r.status])).toEqual([
      ["accuracy", true, "pass"],
      ["a_metric", false, "none"],
    ]);
  });
});

describe("MLflow MetricThreshold semantics", () => {
  const sig = (significant: boolean) => ({
    ci: [0, 0] as [number, number],
    p_value: null,
    test: "paired-bootstrap",
    significant,
  });

  it("min_absolute_change compares with the float64 sum, exactly as MLflow's Decimal(base + change)", () => {
    // 0.1 + 0.2 = 0.30000000000000004 in float64, so 0.3 does not reach it
    const [row] = compareMetrics({ accuracy: 0.3 }, base({ accuracy: 0.1 }), {
      accuracy: { min_improvement: 0.2 },
    });
    expect(row!.reasons).toEqual(["improvement < 0.2"]);
    const [lower] = compareMetrics({ mae: 0.7 }, base({ mae: 0.8 }), { mae: { min_improvement: 0.1 } });
    expect(lower!.status).toBe("pass"); // 0.8 − 0.1 = 0.7000000000000001, and 0.7 ≤ it
  });

  it("min_relative_change divides by the baseline itself (not its absolute value)", () => {
    // higher is better, baseline −2: (−1 − (−2)) / −2 = −0.5 < 0.1 → fails, as in MLflow
    const [row] = compareMetrics({ score: -1 }, base({ score: -2 }), {
      score: { higher_is_better: true, min_improvement_relative: 0.1 },
    });
    expect(row!.status).toBe("fail");
  });

  it("a zero baseline falls back to 'better by at least 1e-10'", () => {
    const gates = { mcc: { min_improvement_relative: 0.5 } };
    expect(compareMetrics({ mcc: 5e-11 }, base({ mcc: 0 }), gates)[0]!.status).toBe("fail");
    expect(compareMetrics({ mcc: 2e-10 }, base({ mcc: 0 }), gates)[0]!.status).toBe("pass");
  });

  it("a baseline without the metric fails the change gates (MLflow missing_baseline)", () => {
    const [row] = compareMetrics({ f1: 0.9 }, base({ accuracy: 0.8 }), { f1: { min_improvement: 0.01 } });
    expect(row!.reasons).toEqual(["baseline lacks this metric"]);
  });

  it("noise-aware: a drop beyond the allowance blocks only when significant", () => {
    const gates = { roc_auc: { max_drop: 0.005 } };
    const noisy = compareMetrics({ roc_auc: 0.94 }, base({ roc_auc: 0.95 }), gates, {
      roc_auc: sig(false),
    })[0]!;
    expect([noisy.status, noisy.reasons]).toEqual(["warn", ["drop > 0.005, but within noise"]]);
    const real = compareMetrics({ roc_auc: 0.94 }, base({ roc_auc: 0.95 }), gates, {
      roc_auc: sig(true),
    })[0]!;
    expect([real.status, real.reasons]).toEqual(["fail", ["drop > 0.005"]]);
  });

  it("noise-aware: a required improvement counts only when significant", () => {
    const gates = { f1: { min_improvement: 0.01 } };
    const noisy = compareMetrics({ f1: 0.85 }, base({ f1: 0.8 }), gates, { f1: sig(false) })[0]!;
    expect(noisy.reasons).toEqual(["improvement not significant"]);
    expect(compareMetrics({ f1: 0.85 }, base({ f1: 0.8 }), gates, { f1: sig(true) })[0]!.status).toBe("pass");
  });
});

describe("decideVerdict", () => {
  it("blocked beats warnings beats ready", () => {
    expect(decideVerdict(1, 3)).toBe("blocked");
    expect(decideVerdict(0, 1)).toBe("warnings");
    expect(decideVerdict(0, 0)).toBe("ready");
  });
});
