/**
 * The bundled action (dist/index.js) run as a separate process exactly as the
 * Actions runner runs it: INPUT_* env, GITHUB_EVENT_NAME/PATH with a real
 * webhook payload, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleRepo } from "../support/example-repo.js";
import { webhookPayload, writeEvent } from "../support/webhooks.js";

const ACTION = join(process.cwd(), "dist", "index.js");

function runAction(repo: string, event: string, payload: unknown, inputs: Record<string, string>) {
  const runner = mkdtempSync(join(tmpdir(), "mlgate-runner-"));
  const output = join(runner, "output");
  const summary = join(runner, "summary.md");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: writeEvent(runner, payload),
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_WORKSPACE: repo,
    GITHUB_REPOSITORY: "octo-org/penguins",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "42",
    // the action's inputs with their action.yml defaults, as the runner passes them
    INPUT_COMMAND: "auto",
    INPUT_CONFIG: ".mlgate.yml",
    INPUT_TOKEN: "ghs_not-a-real-token",
    INPUT_MODEL: "",
    "INPUT_WORKING-DIRECTORY": ".",
    "INPUT_DRY-RUN": "false",
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const r = spawnSync(process.execPath, [ACTION], { cwd: repo, env, encoding: "utf8" });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputs(readFileSync(output, "utf8")),
    summary: readFileSync(summary, "utf8"),
  };
}

/** GITHUB_OUTPUT uses heredoc blocks: name<<DELIM\nvalue\nDELIM */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

describe("dist/index.js as the Actions runner runs it", () => {
  it("pull_request opened: runs the check, writes outputs and the job summary", () => {
    const repo = exampleRepo();
    const r = runAction(repo, "pull_request", webhookPayload("pull_request", "opened"), {});
    expect(r.stdout).toContain("mlgate 0.1.0: check");
    expect(r.stdout).toContain("▶ stage train");
    expect(r.code).toBe(0);
    expect(r.outputs.version).toBe("0.1.0");
    expect(["ready", "warnings"]).toContain(r.outputs.verdict);
    expect(r.outputs["report-path"]).toMatch(/penguins\.report\.md$/);
    expect(JSON.parse(readFileSync(r.outputs["json-path"]!, "utf8")).verdict).toBe(r.outputs.verdict);
    expect(r.summary).toContain("mlgate · penguins");
    expect(r.stdout + r.stderr).not.toContain("ghs_not-a-real-token");
  });

  it("pull_request_target is refused with the two-stage advice", () => {
    const repo = exampleRepo();
    const r = runAction(repo, "pull_request_target", webhookPayload("pull_request", "opened"), {});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::mlgate refuses to evaluate .*pull_request_target.*two-stage workflow/);
  });

  it("a command not built yet fails clearly, not with a fake success", () => {
    const repo = exampleRepo();
    const r = runAction(repo, "issue_comment", webhookPayload("issue_comment", "created"), {});
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("not available yet");
    expect(r.outputs.verdict).toBeUndefined();
  });

  it("a config error is one located line, no stack trace", () => {
    const repo = exampleRepo();
    writeFileSync(join(repo, "bad.yml"), "models: {}\n");
    const r = runAction(repo, "pull_request", webhookPayload("pull_request", "synchronize"), {
      config: "bad.yml",
    });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/::error::/g)).toHaveLength(1);
    expect(r.stdout).toMatch(
      /::error::bad\.yml:1:9: models: expected array, got a mapping\. Fix: write a list/,
    );
    expect(r.stdout).not.toMatch(/\n\s+at /);
  });
});
