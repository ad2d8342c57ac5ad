/**
 * A problem with the user's input (config, data, flags): the message names the
 * file, the place (line/column or YAML path), expected vs got, and the fix.
 * The doors print it as-is, without a stack trace, and exit 2.
 * Anything else that escapes a command is a bug.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  /** One line per problem, all problems at once. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.problems = list;
  }
}

/** Where something is in a file; 1-based. */
export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

export function formatPosition(pos: SourcePosition): string {
  if (pos.line === undefined) return pos.file;
  return pos.column === undefined ? `${pos.file}:${pos.line}` : `${pos.file}:${pos.line}:${pos.column}`;
}

/** A command that exists in the contract but has not been built yet. */
export function notAvailableYet(command: string, issue: string): UserError {
  return new UserError(
    `mlgate ${command}: not available yet in this version (tracked in ${issue}). ` +
      "Nothing was done. Run `mlgate --help` for the commands that work today.",
  );
}
