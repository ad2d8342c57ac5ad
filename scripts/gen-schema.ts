// Writes schema/mlgate.schema.json from the zod schema in src/config.ts (the
// single source of truth). test/config.test.ts fails when the file is stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { renderJsonSchema } from "../src/config-json-schema.js";

mkdirSync("schema", { recursive: true });
writeFileSync("schema/mlgate.schema.json", renderJsonSchema());
console.log("wrote schema/mlgate.schema.json");
