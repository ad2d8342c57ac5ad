/**
 * `mlgate infer-schema FILE [--out SCHEMA.yml]`: a starting schema for a dataset, which
 * the same data passes (PRODUCT.md §2, §3). The YAML has the structure of a dataset's
 * `schema:` block, so it works as `validate-data FILE --schema SCHEMA.yml` and can be
 * pasted into `.mlgate.yml`. Inference rules: src/core/infer-schema.ts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Document, isMap, isPair, isSeq } from "yaml";
import { createSchemaInferrer, type InferredSchema } from "../core/infer-schema.js";
import { UserError } from "../errors.js";
import { openTable, type TableFormat } from "../io/table-reader.js";
import { type CommandContext, resolveIn } from "./context.js";

export interface InferSchemaOptions {
  /** The data file, relative to the project root (or absolute). */
  file: string;
  /** Where to write the YAML; nothing is written when absent. */
  out?: string;
  format?: TableFormat;
  delimiter?: string;
}

export interface InferSchemaResult {
  command: "infer-schema";
  file: string;
  rows: number;
  schema: InferredSchema;
  /** The standalone schema file's text, header comment included. */
  yaml: string;
  /** The path written, when `out` was given. */
  written: string | null;
}

/** One column's rules on one line while they fit, as in PRODUCT.md's example. */
const FLOW_LINE_WIDTH = 100;

export async function inferSchema(ctx: CommandContext, opts: InferSchemaOptions): Promise<InferSchemaResult> {
  const done = ctx.log.step(`infer schema of ${opts.file}`);
  const table = await openTable(resolveIn(ctx.root, opts.file), {
    displayName: opts.file,
    ...(opts.format && { format: opts.format }),
    ...(opts.delimiter && { delimiter: opts.delimiter }),
  });
  const inferrer = createSchemaInferrer(table.columns);
  for await (const row of table.rows) inferrer.add(row);
  const { schema, rows } = inferrer.finish();
  const yaml = schemaYaml(schema, opts.file, rows);
  let written: string | null = null;
  if (opts.out !== undefined) {
    written = resolveIn(ctx.root, opts.out);
    await writeText(written, yaml, opts.out);
  }
  done();
  return { command: "infer-schema", file: opts.file, rows, schema, yaml, written };
}

export function schemaYaml(schema: InferredSchema, file: string, rows: number): string {
  const doc = new Document(schema);
  const columns = doc.get("columns", true);
  if (isMap(columns)) {
    for (const pair of columns.items) {
      if (!isPair(pair) || !isMap(pair.value)) continue;
      const rules = pair.value;
      rules.flow = true;
      const line = `${String(pair.key)}: ${rules.toString()}`;
      if (line.length > FLOW_LINE_WIDTH) {
        rules.flow = false;
        for (const item of rules.items) if (isPair(item) && isSeq(item.value)) item.value.flow = true;
      }
    }
  }
  // A file name is user input: keep it on its comment line.
  const name = /[\r\n\u2028\u2029]/.test(file) ? JSON.stringify(file) : file;
  const header = [
    `Schema inferred by \`mlgate infer-schema\` from ${name} (${rows} row${rows === 1 ? "" : "s"}).`,
    "Review it before relying on it: types, ranges, allowed values and null shares are what",
    "this data showed (null shares and the row minimum with a small margin).",
    "Use it with `mlgate validate-data FILE --schema THIS.yml`, or under a dataset's `schema:`.",
  ];
  doc.commentBefore = header.map((l) => ` ${l}`).join("\n");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

async function writeText(path: string, text: string, shown: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (
      code === "EACCES" ||
      code === "EPERM" ||
      code === "EISDIR" ||
      code === "ENOTDIR" ||
      code === "EROFS"
    ) {
      throw new UserError(
        `${shown}: cannot write the schema (${code}). Choose another --out path, or make its folder writable.`,
      );
    }
    throw err;
  }
}
