import { describe, expect, it } from "vitest";
import { pipelineOrder } from "../../src/core/pipeline-order.js";

describe("pipelineOrder", () => {
  it("runs producers before consumers, whatever the config order", () => {
    const result = pipelineOrder([
      { name: "predict", deps: ["build/model.json", "data/test.csv"], outs: ["build/preds.csv"] },
      { name: "train", deps: ["build/features/"], outs: ["build/model.json"] },
      { name: "prepare", deps: ["data/raw.csv"], outs: ["build/features"] },
    ]);
    expect(result).toEqual({ ok: true, order: ["prepare", "train", "predict"] });
  });

  it("a dep inside an output directory counts", () => {
    const result = pipelineOrder([
      { name: "b", deps: ["./out/x.csv"], outs: [] },
      { name: "a", deps: [], outs: ["out"] },
    ]);
    expect(result).toEqual({ ok: true, order: ["a", "b"] });
  });

  it("names a cycle", () => {
    const result = pipelineOrder([
      { name: "a", deps: ["b.txt"], outs: ["a.txt"] },
      { name: "b", deps: ["a.txt"], outs: ["b.txt"] },
    ]);
    expect(result).toEqual({ ok: false, cycle: ["a", "b", "a"] });
  });
});
