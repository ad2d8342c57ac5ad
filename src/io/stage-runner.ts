/** Runs one pipeline stage's command, streaming its output line by line. */
import { spawn } from "node:child_process";

export interface StageOutcome {
  exitCode: number;
  signal: string | null;
  seconds: number;
}

/**
 * The command is the project's own pipeline step from its config, run with a
 * shell like DVC/Make do; it runs in the read-only job (PRODUCT.md §7).
 */
export function runStageCommand(
  cmd: string,
  cwd: string,
  onLine: (line: string, stream: "stdout" | "stderr") => void,
): Promise<StageOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, { cwd, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    const pipe = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (pending + chunk).split(/\r?\n/);
        pending = parts.pop() ?? "";
        for (const line of parts) onLine(line, name);
      });
      stream.on("end", () => {
        if (pending) onLine(pending, name);
      });
    };
    pipe(child.stdout, "stdout");
    pipe(child.stderr, "stderr");
    child.on("error", (e) => {
      onLine(`could not start: ${e.message}`, "stderr");
    });
    child.on("close", (code, signal) => {
      resolve({ exitCode: code ?? 1, signal, seconds: (performance.now() - started) / 1000 });
    });
  });
}
