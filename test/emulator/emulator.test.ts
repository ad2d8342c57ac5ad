import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./server.js";

const Kit = Octokit.plugin(throttling, retry);
const owner = "octo-org";
const repo = "example";
const SHA = "a".repeat(40);

let em: Emulator;
let throttleId = 0;

function kit(token = "ghs_installation", extra: Record<string, unknown> = {}) {
  return new Kit({
    auth: token,
    baseUrl: em.url,
    // fast backoff for tests; the plugins' logic is unchanged
    retry: { retryAfterBaseValue: 5 },
    throttle: {
      id: `t${throttleId++}`,
      retryAfterBaseValue: 20,
      onRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) => retryCount < 3,
      onSecondaryRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) =>
        retryCount < 3,
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...extra,
  });
}

beforeEach(async () => {
  em = await startEmulator();
});
afterEach(async () => {
  await em.close();
});

function expectClean() {
  expect(em.unknownRoutes).toEqual([]);
  expect(em.violations).toEqual([]);
}

describe("GitHub emulator", () => {
  it("serves repos, GraphQL viewer and refuses GET /user for installation tokens", async () => {
    const gh = kit();
    const { data: r } = await gh.rest.repos.get({ owner, repo });
    expect(r.full_name).toBe("octo-org/example");
    expect(r.default_branch).toBe("main");
    const viewer = await gh.graphql<{ viewer: { login: string } }>("query { viewer { login } }");
    expect(viewer.viewer.login).toBe("github-actions[bot]");
    await expect(gh.rest.users.getAuthenticated()).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("Resource not accessible by integration"),
    });
    await expect(gh.rest.repos.get({ owner, repo: "nope" })).rejects.toMatchObject({ status: 404 });
    expectClean();
  });

  it("answers 401 without a token", async () => {
    const res = await fetch(`${em.url}/repos/${owner}/${repo}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe("Requires authentication");
  });

  it("does comment CRUD and paginates 250 comments with Link headers", async () => {
    const gh = kit();
    for (let i = 0; i < 249; i++) em.addComment(`${owner}/${repo}`, 7, `comment ${i}`);
    const { data: created } = await gh.rest.issues.createComment({
      owner,
      repo,
      issue_number: 7,
      body: "<!-- mlgate -->",
    });
    expect(created.user?.login).toBe("github-actions[bot]");
    const all = await gh.paginate(gh.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 7,
      per_page: 100,
    });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    const pages = em.requests.filter((r) => r.path.endsWith("/issues/7/comments") && r.method === "GET");
    expect(pages).toHaveLength(3);

    const first = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner,
      repo,
      issue_number: 7,
      per_page: 100,
    });
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain("page=3");

    const { data: updated } = await gh.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.id,
      body: "v2",
    });
    expect(updated.body).toBe("v2");
    await gh.rest.reactions.createForIssueComment({ owner, repo, comment_id: created.id, content: "eyes" });
    expect(em.state.reactions).toHaveLength(1);
    await gh.rest.issues.deleteComment({ owner, repo, comment_id: created.id });
    await expect(gh.rest.issues.getComment({ owner, repo, comment_id: created.id })).rejects.toMatchObject({
      status: 404,
    });
    expectClean();
  });

  it("hides a draft release from get-by-tag but lists it; uploads to upload_url and downloads via 302", async () => {
    const gh = kit();
    const { data: rel } = await gh.rest.repos.createRelease({
      owner,
      repo,
      tag_name: "churn-v1",
      draft: true,
    });
    expect(rel.upload_url.startsWith(em.uploadsUrl)).toBe(true);
    await expect(gh.rest.repos.getReleaseByTag({ owner, repo, tag: "churn-v1" })).rejects.toMatchObject({
      status: 404,
    });
    const { data: list } = await gh.rest.repos.listReleases({ owner, repo });
    expect(list.map((r) => r.id)).toEqual([rel.id]);
    expect(list[0]?.draft).toBe(true);

    const bytes = Buffer.from("model weights \u0000\u0001\u0002".repeat(100));
    const { data: asset } = await gh.rest.repos.uploadReleaseAsset({
      owner,
      repo,
      release_id: rel.id,
      url: rel.upload_url,
      name: "model.bin",
      data: bytes as unknown as string,
      headers: { "content-type": "application/octet-stream", "content-length": bytes.length },
    });
    expect(asset.state).toBe("uploaded");
    expect(asset.size).toBe(bytes.length);
    expect(em.requests.some((r) => r.host === "uploads" && r.method === "POST")).toBe(true);

    const dl = await gh.rest.repos.getReleaseAsset({
      owner,
      repo,
      asset_id: asset.id,
      headers: { accept: "application/octet-stream" },
    });
    expect(Buffer.from(dl.data as unknown as ArrayBuffer).equals(bytes)).toBe(true);
    const assetGets = em.requests.filter((r) => r.path.endsWith(`/releases/assets/${asset.id}`));
    expect(assetGets.map((r) => [r.host, r.status])).toEqual([["api", 302]]);
    expect(
      em.requests.some((r) => r.host === "uploads" && r.path.startsWith("/download/") && r.status === 200),
    ).toBe(true);
    // the token is not forwarded to the download host
    expect(em.state.downloads).toEqual([{ asset_id: asset.id, authorization: false }]);

    const { data: published } = await gh.rest.repos.updateRelease({
      owner,
      repo,
      release_id: rel.id,
      draft: false,
    });
    expect(published.draft).toBe(false);
    const { data: byTag } = await gh.rest.repos.getReleaseByTag({ owner, repo, tag: "churn-v1" });
    const { data: latest } = await gh.rest.repos.getLatestRelease({ owner, repo });
    expect(latest.id).toBe(rel.id);
    expect(byTag.assets.map((a) => a.name)).toEqual(["model.bin"]);
    expect(em.state.refs.get(`${owner}/${repo}`)?.has("refs/tags/churn-v1")).toBe(true);
    expectClean();
  });

  it("gives 422 already_exists on a ref creation race", async () => {
    const gh = kit();
    em.faults = [{ kind: "refRace", method: "POST", path: "/git/refs" }];
    const err = await gh.rest.git
      .createRef({ owner, repo, ref: "refs/tags/churn-v1", sha: SHA })
      .catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.response.data.errors[0]).toMatchObject({ code: "already_exists", field: "ref" });
    // without the fault: the first create wins, the duplicate is refused
    const { data } = await gh.rest.git.createRef({ owner, repo, ref: "refs/tags/churn-v2", sha: SHA });
    expect(data.object.sha).toBe(SHA);
    await expect(
      gh.rest.git.createRef({ owner, repo, ref: "refs/tags/churn-v2", sha: SHA }),
    ).rejects.toMatchObject({
      status: 422,
    });
    const { data: got } = await gh.rest.git.getRef({ owner, repo, ref: "tags/churn-v2" });
    expect(got.ref).toBe("refs/tags/churn-v2");
    await gh.rest.git.deleteRef({ owner, repo, ref: "tags/churn-v2" });
    await expect(gh.rest.git.getRef({ owner, repo, ref: "tags/churn-v2" })).rejects.toMatchObject({
      status: 404,
    });
    expectClean();
  });

  it("retries a 5xx burst to success (retry plugin)", async () => {
    const gh = kit();
    em.faults = [{ kind: "error", status: 502, method: "GET", path: `/repos/${owner}/${repo}`, times: 2 }];
    const { data } = await gh.rest.repos.get({ owner, repo });
    expect(data.name).toBe(repo);
    expect(em.requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expectClean();
  });

  it("retries a 403 secondary rate limit after retry-after (throttling plugin)", async () => {
    let seen = 0;
    const gh = kit("ghs_installation", {
      throttle: {
        id: `t${throttleId++}`,
        retryAfterBaseValue: 20,
        onRateLimit: () => false,
        onSecondaryRateLimit: (after: number, _o: unknown, _k: unknown, retryCount: number) => {
          seen = after;
          return retryCount < 2;
        },
      },
    });
    em.faults = [{ kind: "secondaryRateLimit", retryAfter: 1, path: "/issues/3/comments" }];
    const { data } = await gh.rest.issues.createComment({ owner, repo, issue_number: 3, body: "hi" });
    expect(data.body).toBe("hi");
    expect(seen).toBe(1);
    expect(em.requests.map((r) => r.status)).toEqual([403, 201]);
    expect(em.state.comments).toHaveLength(1);

    em.faults = [{ kind: "rateLimit429", retryAfter: 1, path: "/issues/3/comments", method: "GET" }];
    const { data: list } = await gh.rest.issues.listComments({ owner, repo, issue_number: 3 });
    expect(list).toHaveLength(1);
    expect(em.requests.slice(2).map((r) => r.status)).toEqual([429, 200]);
    expectClean();
  });

  it("leaves a starter asset when an upload is cut mid-body; its name is taken until deleted", async () => {
    const gh = kit();
    const { data: rel } = await gh.rest.repos.createRelease({
      owner,
      repo,
      tag_name: "churn-v3",
      draft: true,
    });
    em.faults = [{ kind: "resetUpload", afterBytes: 1024 }];
    const bytes = Buffer.alloc(256 * 1024, 7);
    const upload = () =>
      gh.rest.repos.uploadReleaseAsset({
        owner,
        repo,
        release_id: rel.id,
        url: rel.upload_url,
        name: "model.bin",
        data: bytes as unknown as string,
        headers: { "content-type": "application/octet-stream", "content-length": bytes.length },
        request: { retries: 0 },
      });
    await expect(upload()).rejects.toBeTruthy();
    expect(em.state.assets.map((a) => a.state)).toEqual(["starter"]);
    const err = await upload().catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.response.data.errors[0]).toMatchObject({ code: "already_exists", field: "name" });

    const { data: assets } = await gh.rest.repos.listReleaseAssets({ owner, repo, release_id: rel.id });
    expect(assets.map((a) => a.state)).toEqual(["starter"]);
    await gh.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assets[0]?.id ?? 0 });
    const { data: ok } = await upload();
    expect(ok.state).toBe("uploaded");
    expect(em.state.assets.find((a) => a.id === ok.id)?.data.equals(bytes)).toBe(true);
    expectClean();
  });

  it("refuses writes for a read-only token with 403", async () => {
    em.state.tokens.ghs_fork = { readOnly: true };
    const gh = kit("ghs_fork");
    const { data } = await gh.rest.repos.get({ owner, repo });
    expect(data.name).toBe(repo);
    await expect(
      gh.rest.issues.createComment({ owner, repo, issue_number: 1, body: "x" }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("Resource not accessible by integration"),
    });
    expect(em.state.comments).toHaveLength(0);
    expectClean();
  });

  it("serves PRs, labels with events, collaborator permissions, check runs, deployments, environments, dispatch", async () => {
    const gh = kit();
    const full = `${owner}/${repo}`;
    em.addPull({
      repo: full,
      number: 5,
      head: { ref: "feature", sha: SHA },
      merge_commit_sha: "b".repeat(40),
    });
    em.setCollaborator(full, "alice", "write", "maintain");
    em.addLabel(full, 5, "promote:staging", "alice");

    const { data: pr } = await gh.rest.pulls.get({ owner, repo, pull_number: 5 });
    expect(pr.head.sha).toBe(SHA);
    expect(pr.labels.map((l) => l.name)).toEqual(["promote:staging"]);
    const { data: prs } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({
      owner,
      repo,
      commit_sha: SHA,
    });
    expect(prs.map((p) => p.number)).toEqual([5]);

    await gh.rest.issues.addLabels({ owner, repo, issue_number: 5, labels: ["mlgate"] });
    await gh.rest.issues.removeLabel({ owner, repo, issue_number: 5, name: "mlgate" });
    const { data: labels } = await gh.rest.issues.listLabelsOnIssue({ owner, repo, issue_number: 5 });
    expect(labels.map((l) => l.name)).toEqual(["promote:staging"]);
    const { data: events } = await gh.rest.issues.listEvents({ owner, repo, issue_number: 5 });
    expect(events.map((e) => [e.event, e.actor?.login])).toEqual([
      ["labeled", "alice"],
      ["labeled", "github-actions[bot]"],
      ["unlabeled", "github-actions[bot]"],
    ]);

    const { data: perm } = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: "alice",
    });
    expect([perm.permission, perm.role_name]).toEqual(["write", "maintain"]);

    const { data: run } = await gh.rest.checks.create({
      owner,
      repo,
      name: "mlgate / churn",
      head_sha: SHA,
      status: "in_progress",
    });
    // §8.1: a deployment without required_contexts: [] conflicts with a running check
    await expect(
      gh.rest.repos.createDeployment({ owner, repo, ref: SHA, environment: "staging", auto_merge: false }),
    ).rejects.toMatchObject({ status: 409 });
    const { data: dep } = await gh.rest.repos.createDeployment({
      owner,
      repo,
      ref: SHA,
      environment: "staging",
      task: "mlgate:churn",
      payload: { version: 1 },
      required_contexts: [],
      auto_merge: false,
    });
    if (!("id" in dep)) throw new Error("expected a deployment");
    await gh.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: dep.id, state: "success" });
    const { data: statuses } = await gh.rest.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: dep.id,
    });
    expect(statuses.map((s) => s.state)).toEqual(["success"]);
    const { data: deps } = await gh.rest.repos.listDeployments({ owner, repo, environment: "staging" });
    expect(deps.map((d) => d.payload)).toEqual([{ version: 1 }]);

    const { data: done } = await gh.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: "success",
    });
    expect(done.status).toBe("completed");

    await expect(
      gh.rest.repos.getEnvironment({ owner, repo, environment_name: "production" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    em.state.environments.set(full, ["production"]);
    const { data: env } = await gh.rest.repos.getEnvironment({ owner, repo, environment_name: "production" });
    expect(env.name).toBe("production");

    await gh.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: "promote.yml",
      ref: "main",
      inputs: { v: "1" },
    });
    expect(em.state.dispatches).toEqual([
      { repo: full, workflow_id: "promote.yml", ref: "main", inputs: { v: "1" } },
    ]);
    expectClean();
  });

  it("slows responses with a delay fault", async () => {
    const gh = kit();
    em.faults = [{ kind: "delay", ms: 300, path: `/repos/${owner}/${repo}` }];
    const t0 = Date.now();
    await gh.rest.repos.get({ owner, repo });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expectClean();
  });

  it("records an unknown route and answers 404", async () => {
    const gh = kit();
    await expect(gh.request("GET /repos/{owner}/{repo}/not-a-thing", { owner, repo })).rejects.toMatchObject({
      status: 404,
    });
    // a real GitHub route the emulator does not implement is unknown too
    await expect(gh.rest.repos.listTags({ owner, repo })).rejects.toMatchObject({ status: 404 });
    await expect(gh.rest.repos.generateReleaseNotes({ owner, repo, tag_name: "v1" })).rejects.toMatchObject({
      status: 404,
    });
    expect(em.unknownRoutes).toEqual([
      { method: "GET", path: `/repos/${owner}/${repo}/not-a-thing` },
      { method: "GET", path: `/repos/${owner}/${repo}/tags` },
      { method: "POST", path: `/repos/${owner}/${repo}/releases/generate-notes` },
    ]);
  });

  it("flags a response that breaks the OpenAPI schema", async () => {
    // corrupt state so the rendered object has a wrong type
    em.addComment(`${owner}/${repo}`, 1, "x");
    const c = em.state.comments[0];
    if (c) (c as unknown as { created_at: number }).created_at = 42;
    await kit().rest.issues.listComments({ owner, repo, issue_number: 1 });
    expect(em.violations).toHaveLength(1);
    expect(em.violations[0]?.problems.join()).toContain("created_at");
  });
});
