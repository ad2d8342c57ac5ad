/**
 * Parse a YAML file and validate it with a zod schema, reporting every problem
 * as one line: `file:line:col: yaml.path: expected X, got Y. Fix: …`.
 */
import { readFileSync } from "node:fs";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "../errors.js";

export interface PathProblem {
  path: (string | number)[];
  message: string;
}

type Doc = ReturnType<typeof parseDocument>;

export function readYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  extraChecks?: (value: z.output<S>) => PathProblem[],
  displayName = file,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`${displayName}: file not found. Create it, or pass its path with --config.`);
  }
  return parseYamlText(text, displayName, schema, extraChecks);
}

export function parseYamlText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  extraChecks?: (value: z.output<S>) => PathProblem[],
): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        const what = e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "");
        return `${file}:${pos.line}:${pos.col}: YAML syntax error: ${what}. Fix: check the indentation and quoting on this line (use spaces, not tabs; quote values containing ": " or "#").`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(
      parsed.error.issues.flatMap((issue) => describeIssue(issue, schema, raw, doc, lines, file)),
    );
  }
  const extra = extraChecks?.(parsed.data) ?? [];
  if (extra.length > 0) {
    throw new UserError(
      extra.map((p) => `${where(file, doc, lines, p.path)}: ${pathText(p.path)}: ${p.message}.`),
    );
  }
  return parsed.data;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  raw: unknown,
  doc: Doc,
  lines: LineCounter,
  file: string,
): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const at = [...path, key];
      const known = allowedKeys(schema, path);
      const guess = closest(key, known);
      const fix = guess
        ? `did you mean "${guess}"?`
        : `remove it${known.length ? ` (allowed here: ${known.join(", ")})` : ""}`;
      return `${where(file, doc, lines, at, true)}: ${pathText(at)}: unknown key "${key}". Fix: ${fix}`;
    });
  }
  const got = valueAt(raw, path);
  let expected = issue.message;
  if (issue.code === "invalid_type") expected = `expected ${issue.expected}`;
  if (issue.code === "invalid_value")
    expected = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "too_small" || issue.code === "too_big")
    expected = `expected ${issue.message.replace(/^Too (small|big): expected \w+ to (have|be) /, "")}`;
  if (issue.code === "invalid_union") expected = "expected " + unionExpectation(issue);
  const gotText = got === undefined ? "nothing (the key is missing)" : describeValue(got);
  let fix = got === undefined ? ` Fix: add "${String(path.at(-1))}".` : "";
  if (issue.code === "invalid_value" && typeof got === "string") {
    const guess = closest(got, issue.values.map(String));
    if (guess) fix = ` Fix: did you mean "${guess}"?`;
  }
  if (issue.code === "invalid_type" && got !== undefined) {
    const what: Record<string, string> = {
      number: "a plain number (no quotes, units or %)",
      array: "a list (`[a, b]` or `- ` items)",
      object: "a mapping (`key: value` lines)",
      string: "text",
      boolean: "true or false",
    };
    fix = ` Fix: write ${what[issue.expected] ?? issue.expected} here.`;
  }
  return [`${where(file, doc, lines, path)}: ${pathText(path)}: ${expected}, got ${gotText}.${fix}`];
}

function unionExpectation(issue: z.core.$ZodIssueInvalidUnion): string {
  const options = issue.errors
    .map((branch) => branch[0])
    .filter((first): first is z.core.$ZodIssue => first !== undefined)
    .map((first) => (first.code === "invalid_type" ? first.expected : first.message));
  return [...new Set(options)].join(" or ");
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function pathText(path: (string | number)[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) =>
      typeof p === "number"
        ? `[${p}]`
        : /^[A-Za-z_][\w-]*$/.test(p)
          ? i
            ? `.${p}`
            : p
          : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let cur = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** The keys the schema allows at `path` (for "did you mean"). */
function allowedKeys(schema: z.ZodType, path: (string | number)[]): string[] {
  let cur: z.core.$ZodType | undefined = schema;
  for (const seg of [...path, null]) {
    // unwrap wrappers until a container
    for (;;) {
      const def = cur?._zod.def as
        | { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType }
        | undefined;
      if (!def) return [];
      if (def.innerType) cur = def.innerType;
      else if (def.type === "pipe" && def.in) cur = def.in;
      else break;
    }
    const def = cur?._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
      options?: z.core.$ZodType[];
    };
    if (def.type === "union")
      cur = def.options?.find((o) => (o._zod.def as { type: string }).type === "object");
    const container = cur?._zod.def as typeof def | undefined;
    if (seg === null) return container?.shape ? Object.keys(container.shape) : [];
    if (container?.shape) cur = container.shape[String(seg)];
    else if (container?.element) cur = container.element;
    else if (container?.valueType) cur = container.valueType;
    else return [];
  }
  return [];
}

/** file:line:col of the node at `path` (or its key), falling back to the nearest existing parent. */
function where(file: string, doc: Doc, lines: LineCounter, path: (string | number)[], atKey = false): string {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const offset = offsetOf(doc, sub, atKey && n === path.length);
    if (offset !== undefined) {
      const pos = lines.linePos(offset);
      return `${file}:${pos.line}:${pos.col}`;
    }
  }
  return file;
}

function offsetOf(doc: Doc, path: (string | number)[], keyOfLast: boolean): number | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const seg of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg),
      );
      if (!pair) return undefined;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
    } else {
      return undefined;
    }
  }
  const target = (keyOfLast && keyNode ? keyNode : (node ?? keyNode)) as Node | undefined;
  return target?.range?.[0];
}

/** Closest key by edit distance, if it is close enough to be a typo. */
export function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const option of options) {
    const d = editDistance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = option;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
