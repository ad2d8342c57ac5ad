/** Reading the params a stage or model declares (`params.yaml:train`, `other.yaml`, `train.lr`). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { flattenParams, type ParamValue } from "../core/params-diff.js";
import { UserError } from "../errors.js";

export interface ParamSpec {
  file: string;
  key: string | undefined;
}

export function parseParamSpec(spec: string): ParamSpec {
  const colon = spec.lastIndexOf(":");
  if (colon > 0 && /\.(ya?ml|json)$/i.test(spec.slice(0, colon))) {
    return { file: spec.slice(0, colon), key: spec.slice(colon + 1) || undefined };
  }
  if (/\.(ya?ml|json)$/i.test(spec)) return { file: spec, key: undefined };
  return { file: "params.yaml", key: spec };
}

/** Flattened params for the given specs; `load` returns a file's text or undefined when absent. */
export async function collectParams(
  specs: string[],
  load: (file: string) => Promise<string | undefined>,
): Promise<Record<string, ParamValue>> {
  const out: Record<string, ParamValue> = {};
  const cache = new Map<string, unknown>();
  for (const spec of specs) {
    const { file, key } = parseParamSpec(spec);
    if (!cache.has(file)) {
      const text = await load(file);
      let doc: unknown;
      try {
        doc = text === undefined ? undefined : parse(text);
      } catch (e) {
        throw new UserError(
          `${file}: not valid YAML/JSON (${(e as Error).message.split("\n")[0]}). Fix the file.`,
        );
      }
      cache.set(file, doc);
    }
    const doc = cache.get(file);
    if (doc === undefined) continue;
    const value =
      key === undefined
        ? doc
        : key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);
    // keys from params.yaml read as DVC shows them (`train.lr`); other files are prefixed (`other.yaml:lr`)
    const filePrefix = file === "params.yaml" ? "" : `${file}:`;
    flattenParams(value, `${filePrefix}${key ?? ""}`, out);
  }
  return out;
}

export function workingTreeLoader(root: string): (file: string) => Promise<string | undefined> {
  return async (file) => {
    try {
      return await readFile(join(root, file), "utf8");
    } catch {
      return undefined;
    }
  };
}
