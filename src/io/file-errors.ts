import { UserError } from "../errors.js";

export function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string";
}

/** A failed open/read of a data file as one clear UserError; anything else passes through unchanged. */
export function fileError(err: unknown, name: string): unknown {
  if (!isErrno(err)) return err;
  switch (err.code) {
    case "ENOENT":
      return new UserError(
        `${name}: file not found. Check the path (relative paths start at ${process.cwd()}).`,
      );
    case "EISDIR":
      return new UserError(`${name}: is a directory, expected a data file. Point the path at a file.`);
    case "EACCES":
    case "EPERM":
      return new UserError(`${name}: permission denied while reading. Make the file readable.`);
    default:
      return err;
  }
}
