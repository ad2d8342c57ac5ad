/**
 * A pragmatic view of GitHub's official OpenAPI description (@octokit/openapi):
 * route lookup, a small response/request validator and a schema-driven synthesizer
 * used to fill the (many) required fields of GitHub's big objects.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface Schema {
  $ref?: string;
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  nullable?: boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  format?: string;
  additionalProperties?: boolean | Schema;
}
interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: Schema }> } & { $ref?: string };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
    requestBodies?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  };
}

let spec: Spec | undefined;
let compiled: { template: string; re: RegExp; params: number }[] | undefined;

export function loadSpec(): Spec {
  if (!spec) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
    compiled = Object.keys(spec.paths)
      .map((template) => {
        const params = (template.match(/\{[^}]+\}/g) ?? []).length;
        const src = template
          .split(/(\{[^}]+\})/)
          .map((part) => {
            if (part.startsWith("{")) return part === "{ref}" ? "(.+)" : "([^/]+)";
            return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          })
          .join("");
        return { template, re: new RegExp(`^${src}$`), params };
      })
      // literal segments win over parameters (e.g. releases/latest vs releases/{release_id})
      .sort((a, b) => a.params - b.params || b.template.length - a.template.length);
  }
  return spec;
}

/** The OpenAPI path template and operation for a concrete request, if any. */
export function findOperation(method: string, path: string): { template: string; op: Operation } | undefined {
  const s = loadSpec();
  for (const c of compiled ?? []) {
    if (!c.re.test(path)) continue;
    const op = s.paths[c.template]?.[method.toLowerCase()];
    if (op) return { template: c.template, op };
  }
  return undefined;
}

function deref(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  let guard = 0;
  while (s?.$ref && guard++ < 20) {
    const name = s.$ref.replace("#/components/schemas/", "");
    s = loadSpec().components.schemas[name];
  }
  return s;
}

/** JSON schema of the response body for a status, or undefined if the spec has no JSON body for it. */
export function responseSchema(op: Operation, status: number): Schema | undefined | "undocumented" {
  const responses = op.responses ?? {};
  let r = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!r) return "undocumented";
  if (r.$ref) r = loadSpec().components.responses[r.$ref.replace("#/components/responses/", "")] ?? {};
  const content = r.content ?? {};
  const json = content["application/json"] ?? Object.values(content)[0];
  return json?.schema;
}

export function requestSchema(op: Operation): Schema | undefined {
  let rb = op.requestBody as { $ref?: string; content?: Record<string, { schema?: Schema }> } | undefined;
  if (rb?.$ref)
    rb = loadSpec().components.requestBodies?.[rb.$ref.replace("#/components/requestBodies/", "")];
  return rb?.content?.["application/json"]?.schema;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeOk(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

/**
 * Validate `value` against `schema`: types, required properties and properties recursively
 * up to `maxDepth` levels; anyOf/oneOf pass if any alternative passes. Returns problems found.
 */
export function validate(
  schema: Schema | undefined,
  value: unknown,
  path = "$",
  depth = 0,
  maxDepth = 3,
): string[] {
  const s = deref(schema);
  if (!s) return [];
  if (value === null && (s.nullable || (Array.isArray(s.type) && s.type.includes("null")))) return [];
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const results = alts.map((a) => validate(a, value, path, depth, maxDepth));
    if (results.some((r) => r.length === 0)) return [];
    return results.sort((a, b) => a.length - b.length)[0] ?? [];
  }
  if (s.allOf) return s.allOf.flatMap((a) => validate(a, value, path, depth, maxDepth));
  const problems: string[] = [];
  const actual = typeOf(value);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length > 0 && !types.some((t) => typeOk(t, actual))) {
    return [`${path}: expected ${types.join("|")}, got ${actual}`];
  }
  if (s.enum && value !== null && !s.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (depth >= maxDepth) return problems;
  if (actual === "object" && (s.properties || s.required)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) {
      if (!(key in obj)) problems.push(`${path}.${key}: required property missing`);
    }
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (key in obj && obj[key] !== undefined)
        problems.push(...validate(sub, obj[key], `${path}.${key}`, depth + 1, maxDepth));
    }
  }
  if (actual === "array" && s.items) {
    const arr = value as unknown[];
    // checking the first few items keeps validation cheap on large pages
    arr.slice(0, 3).forEach((item, i) => {
      problems.push(...validate(s.items, item, `${path}[${i}]`, depth + 1, maxDepth));
    });
  }
  return problems;
}

/** A minimal value satisfying `schema` (required fields only), for filling GitHub's large objects. */
export function synth(schema: Schema | undefined, depth = 0): Json {
  const s = deref(schema);
  if (!s) return null;
  if (s.anyOf?.[0] || s.oneOf?.[0]) return synth((s.anyOf ?? s.oneOf)?.[0], depth);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((a) => synth(a, depth) as object));
  if (s.nullable && depth > 0) return null;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (Array.isArray(s.type) && s.type.includes("null") && depth > 0) return null;
  if (s.enum?.length) return s.enum[0] as Json;
  switch (type ?? (s.properties ? "object" : "string")) {
    case "string":
      if (s.format === "date-time") return "2026-01-01T00:00:00Z";
      if (s.format === "uri") return "https://github.test/x";
      return "x";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object": {
      const out: Record<string, Json> = {};
      if (depth > 5) return out;
      for (const key of s.required ?? []) out[key] = synth(s.properties?.[key], depth + 1);
      return out;
    }
    default:
      return null;
  }
}

/** A component schema by name (`#/components/schemas/<name>`). */
export function componentSchema(name: string): Schema {
  const s = loadSpec().components.schemas[name];
  if (!s) throw new Error(`no schema ${name}`);
  return s;
}
