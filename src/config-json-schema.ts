import { z } from "zod";
import { MlgateConfig } from "./config.js";

/** The JSON Schema editors use for `.mlgate.yml`, derived from the zod schema. */
export function renderJsonSchema(): string {
  const schema = z.toJSONSchema(MlgateConfig, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, $id: "https://github.com/mlgate/mlgate/schema/mlgate.schema.json", title: "mlgate config" }, null, 2)}\n`;
}
