/**
 * The workflow's event, parsed with zod from GITHUB_EVENT_PATH (PRODUCT.md §3,
 * §8.1). Only the fields mlgate uses are declared; the rest of the payload is
 * ignored. Note: on `pull_request`, GITHUB_SHA is the test merge commit — the
 * PR head is `pull_request.head.sha`; under `workflow_run`, `pull_requests`
 * is empty for forks, so the PR is resolved from `head_sha` through the API.
 */
import { z } from "zod";
import { UserError } from "../errors.js";

const Repo = z.looseObject({ full_name: z.string(), default_branch: z.string().optional() });
const User = z.looseObject({ login: z.string(), type: z.string().optional() });

const PullRequest = z.looseObject({
  number: z.number(),
  merged: z.boolean().nullable().optional(),
  merge_commit_sha: z.string().nullable().optional(),
  head: z.looseObject({ sha: z.string(), ref: z.string(), repo: Repo.nullable().optional() }),
  base: z.looseObject({ sha: z.string(), ref: z.string(), repo: Repo.optional() }),
  labels: z.array(z.looseObject({ name: z.string() })).default([]),
});

const PullRequestEvent = z.looseObject({
  action: z.string(),
  number: z.number().optional(),
  pull_request: PullRequest,
  repository: Repo,
  label: z.looseObject({ name: z.string() }).optional(),
  sender: User.optional(),
});

const PushEvent = z.looseObject({ ref: z.string(), after: z.string(), repository: Repo });

const WorkflowRunEvent = z.looseObject({
  action: z.string(),
  workflow_run: z.looseObject({
    id: z.number(),
    head_sha: z.string(),
    head_branch: z.string().nullable().optional(),
    event: z.string(),
    conclusion: z.string().nullable().optional(),
    head_repository: Repo.nullable().optional(),
  }),
  repository: Repo,
});

const IssueCommentEvent = z.looseObject({
  action: z.string(),
  issue: z.looseObject({ number: z.number(), pull_request: z.looseObject({}).optional() }),
  comment: z.looseObject({ id: z.number(), body: z.string().nullable().optional(), user: User }),
  repository: Repo,
});

const DispatchEvent = z.looseObject({ inputs: z.record(z.string(), z.unknown()).nullable().optional() });

export type EventContext =
  | { name: "pull_request" | "pull_request_target"; payload: z.infer<typeof PullRequestEvent> }
  | { name: "push"; payload: z.infer<typeof PushEvent> }
  | { name: "workflow_run"; payload: z.infer<typeof WorkflowRunEvent> }
  | { name: "issue_comment"; payload: z.infer<typeof IssueCommentEvent> }
  | { name: "workflow_dispatch"; payload: z.infer<typeof DispatchEvent> }
  | { name: "schedule" | "other"; payload: Record<string, unknown> };

const SCHEMAS = {
  pull_request: PullRequestEvent,
  pull_request_target: PullRequestEvent,
  push: PushEvent,
  workflow_run: WorkflowRunEvent,
  issue_comment: IssueCommentEvent,
  workflow_dispatch: DispatchEvent,
} as const;

/** Parse a payload for an event name; a payload that lacks what mlgate needs is one clear error. */
export function parseEvent(name: string, payload: unknown, source = "GITHUB_EVENT_PATH"): EventContext {
  if (!(name in SCHEMAS)) {
    return {
      name: name === "schedule" ? "schedule" : "other",
      payload: (payload ?? {}) as Record<string, unknown>,
    };
  }
  const parsed = SCHEMAS[name as keyof typeof SCHEMAS].safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UserError(
      `${source}: the ${name} payload lacks ${first?.path.join(".") || "its body"} (${first?.message}). ` +
        "This file is written by the Actions runner; run mlgate as a step of a workflow triggered by that event.",
    );
  }
  return { name, payload: parsed.data } as EventContext;
}
