/**
 * `.mlgate/out/`: each command's JSON result, so later commands (report,
 * release) and the two-stage workflow read what earlier ones computed.
 * Files are written whole via rename: a reader never sees half a result.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export class ResultsStore {
  constructor(readonly dir: string) {}

  path(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  async write(name: string, value: unknown): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = this.path(name);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, file);
    return file;
  }

  async writeText(fileName: string, text: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, fileName);
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
    return file;
  }

  async read<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.path(name), "utf8")) as T;
    } catch {
      return undefined;
    }
  }
}
