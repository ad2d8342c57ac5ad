import { describe, expect, it } from "vitest";
import { escapeMarkdown, table } from "../../src/core/markdown.js";

describe("escapeMarkdown", () => {
  it("neutralises HTML, mentions, references, links and table pipes", () => {
    const hostile =
      "<img src=x onerror=alert(1)> @octo-org/team #12 [click](https://evil.example) a|b **bold** `code`";
    const out = escapeMarkdown(hostile);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toMatch(/@\w/);
    expect(out).toContain("@&#8203;octo");
    // what GitHub sees after decoding entities: "#" and "@" are followed by a zero-width space
    const rendered = out.replace(/&#8203;/g, "\u200b").replace(/&#?\w+;/g, "");
    expect(rendered).not.toMatch(/#\d|@\w/);
    expect(out).not.toContain("](");
    expect(out).not.toContain("https://");
    expect(out).not.toMatch(/(^|[^\\])\|/);
    expect(out).not.toMatch(/(^|[^\\])\*\*/);
    expect(out).toContain("&lt;img");
    expect(out).toContain("@&#8203;octo\\-org/team");
  });

  it("keeps a table with hostile cells to its columns", () => {
    const t = table(["a", "b"], ["l", "r"], [[escapeMarkdown("x|y|z"), escapeMarkdown("1\n| 2 |")]]);
    const lines = t.split("\n");
    expect(lines).toHaveLength(3);
    // a row has exactly 3 raw pipes (two borders, one separator): 4 parts when split
    expect(lines[2]!.replace(/&#124;/g, "").split("|")).toHaveLength(4);
  });

  it("bare URLs and www. hosts do not autolink", () => {
    expect(escapeMarkdown("see http://a.b and www.c.d")).not.toMatch(/https?:\/\/|www\./);
  });

  it("truncates long values to one line", () => {
    const out = escapeMarkdown(`${"x".repeat(500)}\n<b>`, 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).not.toContain("\n");
  });
});
