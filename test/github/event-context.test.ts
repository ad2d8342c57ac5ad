import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { parseEvent } from "../../src/github/event-context.js";
import { webhookPayload } from "../support/webhooks.js";

describe("parseEvent with real webhook payloads (@octokit/webhooks-examples)", () => {
  it("pull_request: the head SHA comes from the payload, not GITHUB_SHA", () => {
    const payload = webhookPayload("pull_request", "synchronize");
    const event = parseEvent("pull_request", payload);
    expect(event.name).toBe("pull_request");
    if (event.name !== "pull_request") throw new Error("unreachable");
    const pr = payload.pull_request as { head: { sha: string }; number: number };
    expect(event.payload.pull_request.head.sha).toBe(pr.head.sha);
    expect(event.payload.pull_request.number).toBe(pr.number);
  });

  it("pull_request closed, labeled; push; workflow_run; issue_comment", () => {
    for (const [name, action] of [
      ["pull_request", "closed"],
      ["pull_request", "labeled"],
      ["workflow_run", "completed"],
      ["issue_comment", "created"],
    ] as const) {
      expect(parseEvent(name, webhookPayload(name, action)).name).toBe(name);
    }
    expect(parseEvent("push", webhookPayload("push")).name).toBe("push");
  });

  it("a payload missing what mlgate needs is one clear error", () => {
    expect(() => parseEvent("pull_request", { action: "opened" })).toThrow(UserError);
    expect(() => parseEvent("pull_request", { action: "opened" })).toThrow(/payload lacks pull_request/);
  });

  it("schedule and unknown events pass through", () => {
    expect(parseEvent("schedule", { schedule: "0 0 * * *" }).name).toBe("schedule");
    expect(parseEvent("release", {}).name).toBe("other");
  });
});
