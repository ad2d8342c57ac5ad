import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderJsonSchema } from "../src/config-json-schema.js";
import { UserError } from "../src/errors.js";
import { loadConfig } from "../src/io/config-file.js";

const dir = mkdtempSync(join(tmpdir(), "mlgate-config-"));
function problemsOf(yaml: string): string[] {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  try {
    loadConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).problems.map((p) => p.replace(file, "FILE"));
  }
  throw new Error("expected the config to be rejected");
}

const MODEL = `models:
  - name: churn
    task: binary
    artifact: model.onnx
    predictions: { path: p.csv, label: y, score: s }
`;

describe("config errors", () => {
  it("a typo'd key names file:line:col, the YAML path and the likely fix", () => {
    expect(problemsOf(`${MODEL}    metrics:\n      roc_auc: { min: 0.8, max_dorp: 0.01 }\n`)).toEqual([
      'FILE:7:28: models[0].metrics.roc_auc.max_dorp: unknown key "max_dorp". Fix: did you mean "max_drop"?',
    ]);
  });

  it("a wrong type says expected vs got", () => {
    expect(problemsOf(`${MODEL}    metrics:\n      f1: { max_drop: "0.1%" }\n`)).toEqual([
      'FILE:7:23: models[0].metrics.f1.max_drop: expected number, got "0.1%". Fix: write a plain number (no quotes, units or %) here.',
    ]);
  });

  it("a bad indent is one YAML syntax line with the fix", () => {
    const problems = problemsOf("models:\n  - name: a\n   task: binary\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^FILE:3:\d+: YAML syntax error: .+ Fix: check the indentation/);
  });

  it("reports every problem at once, one line each", () => {
    const problems = problemsOf(
      `datasets:\n  - name: d\n    path: d.csv\n    colour: red\n${MODEL}    slicez: [a]\n    task2: x\n`,
    );
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => /^FILE:\d+:\d+: /.test(p) && !p.includes("\n"))).toBe(true);
  });

  it("an unknown enum value suggests the closest one", () => {
    const problems = problemsOf(`${MODEL.replace("binary", "binray")}`);
    expect(problems[0]).toContain('got "binray". Fix: did you mean "binary"?');
  });

  it("a gate that cannot apply to the metric's direction is an error", () => {
    expect(problemsOf(`${MODEL}    metrics:\n      log_loss: { max_drop: 0.1 }\n`)[0]).toContain(
      '"log_loss" is lower-is-better, so "max_drop" never applies; use "max_rise"',
    );
  });

  it("a custom metric needs a direction", () => {
    expect(problemsOf(`${MODEL}    metrics:\n      revenue: { min: 1 }\n`)[0]).toContain(
      "add higher_is_better",
    );
  });

  it("a missing file says how to point at one", () => {
    expect(() => loadConfig(join(dir, "nope.yml"))).toThrow(/file not found.*--config/);
  });

  it("the example config is valid and gets defaults", () => {
    const config = loadConfig("examples/penguins/.mlgate.yml");
    expect(config.models[0]?.name).toBe("penguins");
    expect(config.promotion.min_permission).toBe("write");
    expect(Object.keys(config.pipeline)).toEqual(["train", "predict"]);
  });
});

describe("schema/mlgate.schema.json", () => {
  it("is generated from the zod schema (run npm run schema)", () => {
    expect(readFileSync("schema/mlgate.schema.json", "utf8")).toBe(renderJsonSchema());
  });

  it("rejects unknown keys, like the loader", () => {
    const schema = JSON.parse(renderJsonSchema());
    expect(schema.additionalProperties).toBe(false);
  });
});
