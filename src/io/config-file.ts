import { MlgateConfig, semanticProblems } from "../config.js";
import { readYamlFile } from "./yaml-file.js";

/** Read and validate `.mlgate.yml`; every problem is reported at once with file:line:col. */
export function loadConfig(file: string, displayName = file): MlgateConfig {
  return readYamlFile(file, MlgateConfig, semanticProblems, displayName);
}
