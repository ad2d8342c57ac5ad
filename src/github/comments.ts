/**
 * Posting the sticky PR comment (PRODUCT.md §4): list every page of the PR's
 * comments, let `planStickyComment` decide, then create or update, and delete
 * duplicates left by racing runs. The bot's login comes from GraphQL
 * `viewer { login }` — the Actions token cannot call GET /user (§8.1).
 * Before creating, it looks again: a concurrent run may have just created one.
 */
import { type ExistingComment, planStickyComment, type StickyPlan } from "../core/sticky-comment.js";
import type { GitHubClient } from "./octokit.js";

export interface Repo {
  owner: string;
  repo: string;
}

export async function botLogin(client: GitHubClient): Promise<string> {
  const data = await client.graphql<{ viewer: { login: string } }>("query { viewer { login } }");
  return data.viewer.login;
}

async function listComments(client: GitHubClient, repo: Repo, issue: number): Promise<ExistingComment[]> {
  const all = await client.paginate(client.rest.issues.listComments, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  return all.map((c) => ({
    id: c.id,
    body: c.body ?? "",
    author: c.user?.login ?? "",
    created_at: c.created_at,
  }));
}

export interface PostResult {
  plan: StickyPlan["action"];
  id: number;
  url: string | null;
  removed: number[];
}

export async function postStickyComment(
  client: GitHubClient,
  repo: Repo,
  issue: number,
  body: string,
  opts: { login: string; model: string; headSha: string; isNewer: (sha: string) => boolean },
): Promise<PostResult> {
  const plan = (existing: ExistingComment[]) =>
    planStickyComment(existing, { botLogin: opts.login, ...opts });
  let decision = plan(await listComments(client, repo, issue));
  let id: number;
  let url: string | null = null;
  if (decision.action === "create") {
    // look again right before creating: another run may have won the race
    decision = plan(await listComments(client, repo, issue));
  }
  if (decision.action === "create") {
    const { data } = await client.rest.issues.createComment({ ...repo, issue_number: issue, body });
    ({ id } = data);
    url = data.html_url;
    // a concurrent run may have created one too: the oldest stays, ours goes
    const after = plan(await listComments(client, repo, issue));
    if (after.action !== "create" && after.id !== id) {
      await client.rest.issues.deleteComment({ ...repo, comment_id: id });
      if (after.action === "update")
        await client.rest.issues.updateComment({ ...repo, comment_id: after.id, body });
      return { plan: after.action, id: after.id, url: null, removed: [id] };
    }
  } else if (decision.action === "update") {
    const { data } = await client.rest.issues.updateComment({ ...repo, comment_id: decision.id, body });
    ({ id } = data);
    url = data.html_url;
  } else {
    id = decision.id;
  }
  for (const dup of decision.remove) await client.rest.issues.deleteComment({ ...repo, comment_id: dup });
  return { plan: decision.action, id, url, removed: decision.remove };
}
