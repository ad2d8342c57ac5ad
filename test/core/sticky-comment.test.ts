import { describe, expect, it } from "vitest";
import { type ExistingComment, planStickyComment } from "../../src/core/sticky-comment.js";

const BOT = "github-actions[bot]";
const marker = (model: string, sha: string) => `### report\n<!-- mlgate:report model=${model} sha=${sha} -->`;
const comment = (
  id: number,
  body: string,
  author = BOT,
  at = `2026-01-0${id}T00:00:00Z`,
): ExistingComment => ({
  id,
  body,
  author,
  created_at: at,
});
const A = "a".repeat(40);
const B = "b".repeat(40);

describe("planStickyComment", () => {
  it("creates when there is no comment of ours (a user quoting the marker does not count)", () => {
    const plan = planStickyComment([comment(1, marker("churn", A), "mallory")], {
      botLogin: BOT,
      model: "churn",
      headSha: B,
      isNewer: () => false,
    });
    expect(plan).toEqual({ action: "create", remove: [] });
  });

  it("updates the oldest of ours and removes duplicates; other models are left alone", () => {
    const plan = planStickyComment(
      [comment(3, marker("churn", A)), comment(1, marker("churn", A)), comment(2, marker("other", A))],
      { botLogin: BOT, model: "churn", headSha: B, isNewer: () => false },
    );
    expect(plan).toEqual({ action: "update", id: 1, remove: [3] });
  });

  it("never overwrites a result for a newer commit", () => {
    const plan = planStickyComment([comment(1, marker("churn", B))], {
      botLogin: BOT,
      model: "churn",
      headSha: A,
      isNewer: (sha) => sha === B,
    });
    expect(plan).toMatchObject({ action: "skip", id: 1 });
  });
});
