/** Replaced at bundle time with package.json's version. */
declare const __MLGATE_VERSION__: string | undefined;
export const MLGATE_VERSION: string =
  typeof __MLGATE_VERSION__ === "string" ? __MLGATE_VERSION__ : "0.0.0-dev";
