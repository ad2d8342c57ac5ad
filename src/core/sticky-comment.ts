/**
 * Which PR comment is mlgate's for a model (PRODUCT.md §4): the one with our
 * hidden marker AND written by the bot's own login — a user quoting the
 * marker does not count. With duplicates (two runs raced), the oldest is kept
 * and the rest are deleted. A run for an older head SHA never overwrites a
 * newer result: the caller says whether the existing comment's SHA is newer.
 */
export interface ExistingComment {
  id: number;
  body: string;
  author: string;
  created_at: string;
}

export type StickyPlan =
  | { action: "create"; remove: number[] }
  | { action: "update"; id: number; remove: number[] }
  | { action: "skip"; id: number; reason: string; remove: number[] };

const MARKER = /<!-- mlgate:report model=([A-Za-z0-9][A-Za-z0-9_.-]*) sha=([0-9a-f]{7,40}) -->/;

export function markerOf(body: string): { model: string; sha: string } | null {
  const m = MARKER.exec(body);
  return m ? { model: m[1]!, sha: m[2]! } : null;
}

export function planStickyComment(
  comments: readonly ExistingComment[],
  opts: { botLogin: string; model: string; headSha: string; isNewer: (sha: string) => boolean },
): StickyPlan {
  const ours = comments
    .filter((c) => c.author === opts.botLogin && markerOf(c.body)?.model === opts.model)
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id));
  const [keep, ...duplicates] = ours;
  const remove = duplicates.map((c) => c.id);
  if (!keep) return { action: "create", remove };
  const sha = markerOf(keep.body)!.sha;
  if (sha !== opts.headSha && opts.isNewer(sha)) {
    return {
      action: "skip",
      id: keep.id,
      reason: `the comment already shows a newer commit (${sha.slice(0, 7)})`,
      remove,
    };
  }
  return { action: "update", id: keep.id, remove };
}
