/**
 * Reading a profile back: `mlgate.profile/v1` JSON is validated with zod, then checked for
 * the invariants merges rely on (sketch weights add up, registers have the right size).
 * A profile that fails is a UserError naming the file and the field: profiles travel as
 * build artifacts and release assets, so they are untrusted input.
 */
import { z } from "zod";
import { UserError } from "../errors.js";
import { PROFILE_SCHEMA, type Profile } from "./profile.js";

const count = z.number().int().min(0);
const finite = z.number().finite();

const Kll = z.strictObject({
  k: z.number().int().min(8).max(65_536),
  n: count,
  rng: z.number().int().min(0).max(0xffffffff),
  levels: z.array(z.array(finite)).min(1).max(64),
});

const Numbers = z.strictObject({
  count: count.min(1),
  min: finite,
  max: finite,
  mean: finite,
  m2: z.number().min(0),
  variance: z.number().min(0),
  std: z.number().min(0).nullable(),
  values: z.array(finite).nullable(),
  counts: z.array(z.tuple([finite, count.min(1)])).nullable(),
  kll: Kll.nullable(),
  quantiles: z.strictObject({ q: z.array(finite), values: z.array(finite), exact: z.boolean() }),
  histogram: z.strictObject({
    edges: z.array(finite),
    counts: z.array(z.number().min(0)),
    exact: z.boolean(),
  }),
});

const Text = z.strictObject({
  k: z.number().int().min(1),
  n: count,
  error: count,
  items: z.array(z.tuple([z.string(), count.min(1)])),
});

const Column = z.strictObject({
  name: z.string(),
  kind: z.enum(["numeric", "categorical", "empty"]),
  count,
  nulls: count,
  distinct: z.strictObject({ estimate: z.number().min(0), exact: z.boolean(), hll: z.string().nullable() }),
  numbers: Numbers.nullable(),
  text: Text.nullable(),
});

const Range = z.strictObject({ index: count, start: count, end: count });

const ProfileJson = z.strictObject({
  schema: z.literal(PROFILE_SCHEMA),
  source: z.strictObject({
    name: z.string(),
    format: z.string().nullable(),
    bytes: count.nullable(),
    shard: z.strictObject({ count: count.min(1), ranges: z.array(Range).min(1) }).nullable(),
  }),
  sketch: z.strictObject({
    kll_k: z.number().int().min(8).max(65_536),
    exact_values: count,
    exact_counts: count,
    frequent_k: z.number().int().min(1).max(1_000_000),
    hll_p: z.number().int().min(4).max(18),
    seed: count,
  }),
  rows: count,
  columns: z.array(Column),
});

/** Validates parsed JSON as a profile; `name` (the file) prefixes every problem. */
export function parseProfile(data: unknown, name: string): Profile {
  const version = (data as { schema?: unknown } | null)?.schema;
  if (typeof version === "string" && version !== PROFILE_SCHEMA && version.startsWith("mlgate.profile/")) {
    throw new UserError(
      `${name}: profile format ${version}, but this mlgate reads ${PROFILE_SCHEMA}. ` +
        "Re-create the profile with this version (mlgate profile).",
    );
  }
  const parsed = ProfileJson.safeParse(data);
  if (!parsed.success) {
    throw new UserError(
      parsed.error.issues.slice(0, 10).map((issue) => {
        const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
        return `${name}: not a valid mlgate profile at ${path.replace(/^\./, "") || "(top)"}: ${issue.message}. Re-create it with mlgate profile.`;
      }),
    );
  }
  const profile = parsed.data as Profile;
  const problems = invariants(profile).map(
    (p) => `${name}: ${p}. The file is damaged: re-create it with mlgate profile.`,
  );
  if (problems.length > 0) throw new UserError(problems);
  return profile;
}

function invariants(profile: Profile): string[] {
  const problems: string[] = [];
  const registers = 2 ** profile.sketch.hll_p;
  profile.columns.forEach((col, c) => {
    const at = `columns[${c}] (${JSON.stringify(col.name)})`;
    if (col.count !== profile.rows)
      problems.push(`${at}: count ${col.count} differs from rows ${profile.rows}`);
    const numbers = col.numbers?.count ?? 0;
    const text = col.text?.n ?? 0;
    if (col.nulls + numbers + text !== col.count) {
      problems.push(
        `${at}: nulls + numbers + text values (${col.nulls + numbers + text}) differ from count ${col.count}`,
      );
    }
    const n = col.numbers;
    if (n !== null) {
      if ((n.values === null && n.counts === null) !== (n.kll !== null)) {
        problems.push(
          `${at}: numbers.kll must be present exactly when numbers.values and numbers.counts are null`,
        );
      }
      if (n.values !== null && n.values.length !== n.count)
        problems.push(`${at}: numbers.values has ${n.values.length} values, count is ${n.count}`);
      if (n.kll !== null) {
        const weight = n.kll.levels.reduce((sum, items, h) => sum + items.length * 2 ** h, 0);
        if (weight !== n.kll.n || n.kll.n !== n.count)
          problems.push(`${at}: the KLL sketch's weights (${weight}) do not add up to its count`);
        if (n.kll.k !== profile.sketch.kll_k)
          problems.push(`${at}: KLL k ${n.kll.k} differs from sketch.kll_k`);
      }
      if (n.min > n.max) problems.push(`${at}: numbers.min is above numbers.max`);
      if (n.counts !== null && n.counts.reduce((s, [, k]) => s + k, 0) !== n.count) {
        problems.push(`${at}: numbers.counts do not add up to numbers.count`);
      }
    }
    if (col.distinct.hll !== null && Buffer.from(col.distinct.hll, "base64").length !== registers) {
      problems.push(`${at}: distinct.hll must hold ${registers} registers`);
    }
    if (!col.distinct.exact && col.distinct.hll === null)
      problems.push(`${at}: an estimated distinct count needs distinct.hll`);
  });
  return problems;
}
