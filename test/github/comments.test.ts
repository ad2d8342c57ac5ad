/** The sticky comment against the GitHub emulator (real HTTP, OpenAPI-validated). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botLogin, postStickyComment } from "../../src/github/comments.js";
import { createGitHubClient } from "../../src/github/octokit.js";
import { type Emulator, startEmulator } from "../emulator/server.js";

const repo = { owner: "octo-org", repo: "example" };
const A = "a".repeat(40);
const B = "b".repeat(40);
const body = (sha: string, text: string) => `### ${text}\n<!-- mlgate:report model=churn sha=${sha} -->`;

describe("postStickyComment", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());
  const client = () => createGitHubClient({ token: "ghs_test", baseUrl: emulator.url });
  const ours = (issue: number) =>
    emulator.state.comments.filter((c) => c.issue_number === issue && c.user === "github-actions[bot]");

  it("creates once, then updates the same comment; a user's quote of the marker is left alone", async () => {
    const gh = client();
    const login = await botLogin(gh);
    expect(login).toBe("github-actions[bot]");
    emulator.addComment("octo-org/example", 1, body(A, "quoted by a user"), "mallory");
    const first = await postStickyComment(gh, repo, 1, body(A, "v1"), {
      login,
      model: "churn",
      headSha: A,
      isNewer: () => false,
    });
    expect(first.plan).toBe("create");
    const second = await postStickyComment(gh, repo, 1, body(B, "v2"), {
      login,
      model: "churn",
      headSha: B,
      isNewer: () => false,
    });
    expect(second).toMatchObject({ plan: "update", id: first.id });
    expect(ours(1).map((c) => c.body)).toEqual([body(B, "v2")]);
  });

  it("an older head SHA never overwrites a newer result", async () => {
    const gh = client();
    const result = await postStickyComment(gh, repo, 1, body(A, "stale"), {
      login: "github-actions[bot]",
      model: "churn",
      headSha: A,
      isNewer: (sha) => sha === B,
    });
    expect(result.plan).toBe("skip");
    expect(ours(1).map((c) => c.body)).toEqual([body(B, "v2")]);
  });

  it("two concurrent runs leave one comment; duplicates are cleaned (oldest kept)", async () => {
    const gh = client();
    const opts = { login: "github-actions[bot]", model: "churn", headSha: A, isNewer: () => false };
    await Promise.all([
      postStickyComment(gh, repo, 2, body(A, "run 1"), opts),
      postStickyComment(client(), repo, 2, body(A, "run 2"), opts),
    ]);
    expect(ours(2)).toHaveLength(1);
    expect(emulator.violations).toEqual([]);
    expect(emulator.unknownRoutes).toEqual([]);
  });
});
