/**
 * The one place an Octokit is built (STYLE.md): @octokit/rest with the
 * throttling and retry plugins, against `GITHUB_API_URL` so GitHub
 * Enterprise Server works. Secondary rate limits and 429s honour
 * `retry-after` (the throttling plugin); 5xx and connection resets are
 * retried with bounded backoff (the retry plugin); writes are serialized by
 * the throttling plugin's write queue.
 */
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";

const MlgateOctokit = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof MlgateOctokit>;

export interface ClientOptions {
  token: string;
  /** Default: GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
  /** How many times a rate-limited request is retried (each waits retry-after). */
  rateLimitRetries?: number;
  /** Retries of 5xx / connection errors (the retry plugin's exponential backoff). */
  retries?: number;
  log?: (message: string) => void;
}

export function createGitHubClient(opts: ClientOptions): GitHubClient {
  const log = opts.log ?? (() => {});
  const rateLimitRetries = opts.rateLimitRetries ?? 3;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
      log(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}: retry ${retryCount + 1} after ${retryAfter}s`,
      );
      return retryCount < rateLimitRetries;
    };
  return new MlgateOctokit({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? process.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
    userAgent: "mlgate",
    throttle: { onRateLimit: onLimit("primary"), onSecondaryRateLimit: onLimit("secondary") },
    retry: { retries: opts.retries ?? 3 },
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
  });
}
