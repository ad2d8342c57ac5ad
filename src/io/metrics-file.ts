/**
 * A pipeline stage's own metrics file (`metrics: [build/metrics.json]`, as DVC
 * writes them): numeric leaves, flattened with dots. These custom metrics have
 * no predictions behind them, so they get threshold gates only (no CI).
 */
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";

export async function readMetricsFile(path: string, displayName: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UserError(
      `${displayName}: metrics file not found. The stage that lists it under metrics: must write it.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(
      `${displayName}: not valid JSON (${(e as Error).message}). Write the metrics as a JSON object.`,
    );
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new UserError(
      `${displayName}: expected a JSON object of metrics, got ${Array.isArray(data) ? "an array" : typeof data}.`,
    );
  }
  const out: Record<string, number> = {};
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        throw new UserError(
          `${displayName}: metric "${prefix}" is ${value}; metrics must be finite numbers.`,
        );
      }
      out[prefix] = value;
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    }
    // strings, booleans and lists are not metrics; DVC skips them too
  };
  walk(data, "");
  return out;
}
