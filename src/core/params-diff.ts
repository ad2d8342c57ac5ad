/** Flattening and diffing of params (DVC `params diff` style: one row per changed key). */
export type ParamValue = string | number | boolean | null;

export function flattenParams(
  value: unknown,
  prefix = "",
  out: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flattenParams(v, prefix === "" || prefix.endsWith(":") ? `${prefix}${k}` : `${prefix}.${k}`, out);
    }
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  } else if (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    value === null
  ) {
    out[prefix] = value;
  } else {
    out[prefix] = String(value);
  }
  return out;
}

export interface ParamChange {
  key: string;
  old: ParamValue | undefined;
  new: ParamValue | undefined;
}

export function diffParams(
  before: Record<string, ParamValue>,
  after: Record<string, ParamValue>,
): ParamChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => before[k] !== after[k]).map((k) => ({ key: k, old: before[k], new: after[k] }));
}
