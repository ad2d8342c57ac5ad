import { afterEach, describe, expect, it, vi } from "vitest";
import { annotate, capSummary } from "../src/action.js";

describe("annotations and the job summary limit", () => {
  afterEach(() => vi.restoreAllMocks());

  it("at most 10 errors and 10 warnings a step, the rest counted", () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const failures = Array.from({ length: 25 }, (_, i) => `gate ${i}`);
    annotate([{ model: "churn", failures, warnings: ["drift in 3 columns"] }]);
    const errors = lines.filter((l) => l.startsWith("::error"));
    const warnings = lines.filter((l) => l.startsWith("::warning"));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toContain("churn: gate 0");
    expect(errors[9]).toContain("16 more (see the job summary)");
    expect(warnings).toHaveLength(1);
  });

  it("caps the summary at 1 MiB and says so", () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const capped = capSummary(big);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(1024 * 1024);
    expect(capped).toContain("truncated to the job summary's 1 MiB limit");
    expect(capSummary("small")).toBe("small");
  });
});
