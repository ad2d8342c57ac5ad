import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("layout (STYLE.md)", () => {
  it("src/core has no I/O: no node built-ins, no @actions, no process.env, no io/ or commands/ imports", () => {
    const offenders = files("src/core").flatMap((file) => {
      const text = readFileSync(file, "utf8");
      const bad = [
        /from "node:/,
        /from "@actions\//,
        /process\.env/,
        /from "\.\.\/(io|commands|github|registry)\//,
      ];
      return bad.filter((re) => re.test(text)).map((re) => `${file}: ${re}`);
    });
    expect(offenders).toEqual([]);
  });
});
