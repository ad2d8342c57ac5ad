/** Real webhook payloads from @octokit/webhooks-examples, written where the runner puts them. */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

interface WebhookExamples {
  name: string;
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const all = require("@octokit/webhooks-examples") as WebhookExamples[];

export function webhookPayload(event: string, action?: string): Record<string, unknown> {
  const examples = all.find((e) => e.name === event)?.examples ?? [];
  const hit = examples.find((p) => action === undefined || p.action === action);
  if (!hit)
    throw new Error(`no @octokit/webhooks-examples payload for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(hit);
}

export function writeEvent(dir: string, payload: unknown): string {
  const path = join(dir, "event.json");
  writeFileSync(path, JSON.stringify(payload));
  return path;
}
