/**
 * The registry in a folder (local mode):
 *   <root>/<model>/v<N>/{manifest.json, files…}   one folder per version
 *   <root>/<model>/stages.jsonl                   append-only stage history
 * A version becomes visible only by the atomic rename of a complete, verified
 * folder; renaming onto an existing `v<N>` fails, which is the version lock.
 */
import { randomBytes } from "node:crypto";
import {
  appendFile,
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { sha256, sha256File } from "../io/hash.js";
import { MANIFEST_SCHEMA, Manifest, type ManifestDraft, type ManifestFile } from "./manifest.js";
import type { Registry, ReleaseFile, StageEvent, VersionSummary } from "./registry.js";

const VERSION_DIR = /^v([1-9][0-9]*)$/;
const INCOMING = ".incoming-";

export class LocalRegistry implements Registry {
  constructor(readonly location: string) {}

  async listModels(): Promise<string[]> {
    const entries = await readdir(this.location, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  }

  private async versionNumbers(model: string): Promise<number[]> {
    const entries = await readdir(join(this.location, model)).catch(() => [] as string[]);
    return entries
      .map((name) => VERSION_DIR.exec(name)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async listVersions(model: string): Promise<VersionSummary[]> {
    const out: VersionSummary[] = [];
    for (const version of await this.versionNumbers(model)) {
      const m = await this.getManifest(model, version);
      out.push({ model, version, commit: m.commit, created_at: m.created_at });
    }
    return out;
  }

  async getManifest(model: string, version: number): Promise<Manifest> {
    const file = join(this.location, model, `v${version}`, "manifest.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      throw new UserError(
        `${model}@${version}: no such version in the registry at ${this.location}. See \`mlgate registry list\`.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UserError(
        `${file}: not valid JSON (${(e as Error).message}). The registry entry is damaged; restore it from a backup or release again.`,
      );
    }
    const parsed = Manifest.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new UserError(
        `${file}: ${first?.path.join(".") ?? ""}: ${first?.message}. The registry entry is damaged or from a newer mlgate.`,
      );
    }
    return parsed.data;
  }

  async release(draft: ManifestDraft, files: ReleaseFile[]): Promise<Manifest> {
    const modelDir = join(this.location, draft.model);
    await mkdir(modelDir, { recursive: true });
    await this.removeAbandonedIncoming(modelDir);
    const incoming = join(modelDir, `${INCOMING}${process.pid}-${randomBytes(4).toString("hex")}`);
    await mkdir(incoming);
    try {
      const stored: ManifestFile[] = [];
      const names = new Set<string>();
      for (const f of files) {
        if (names.has(f.name) || f.name === "manifest.json" || f.name.includes("/")) {
          throw new UserError(
            `release: file name "${f.name}" is duplicated or reserved. Give each file a distinct plain name.`,
          );
        }
        names.add(f.name);
        const digest = await sha256File(f.path).catch(() => {
          throw new UserError(`release: ${f.path}: file not found. Run the pipeline first (\`mlgate run\`).`);
        });
        const target = join(incoming, f.name);
        await copyFile(f.path, target);
        const copied = await sha256File(target);
        if (copied !== digest) throw new Error(`copy of ${f.path} does not match its sha256 (disk error?)`);
        stored.push({ name: f.name, role: f.role, size: (await stat(target)).size, sha256: digest });
      }
      for (let attempt = 0; attempt < 100; attempt++) {
        const existing = await this.versionNumbers(draft.model);
        const version = (existing.at(-1) ?? 0) + 1;
        const manifest: Manifest = Manifest.parse({
          schema: MANIFEST_SCHEMA,
          ...draft,
          version,
          parent_version: existing.at(-1) ?? null,
          files: stored,
          created_at: new Date().toISOString(),
        });
        await writeFile(join(incoming, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
        try {
          await rename(incoming, join(modelDir, `v${version}`));
          return manifest;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
          // another run took v<version>; take the next one
        }
      }
      throw new Error("could not allocate a registry version after 100 attempts");
    } catch (e) {
      await rm(incoming, { recursive: true, force: true });
      throw e;
    }
  }

  /** Folders left by runs that died mid-release: their process is gone. */
  private async removeAbandonedIncoming(modelDir: string): Promise<void> {
    for (const name of await readdir(modelDir)) {
      if (!name.startsWith(INCOMING)) continue;
      const pid = Number(name.slice(INCOMING.length).split("-")[0]);
      if (!processAlive(pid)) await rm(join(modelDir, name), { recursive: true, force: true });
    }
  }

  async pull(model: string, version: number, dest: string, only?: string[]): Promise<string[]> {
    const manifest = await this.getManifest(model, version);
    const dir = join(this.location, model, `v${version}`);
    await mkdir(dest, { recursive: true });
    const written: string[] = [];
    for (const f of manifest.files) {
      if (only && !only.includes(f.name)) continue;
      const source = join(dir, f.name);
      const digest = await sha256File(source).catch(() => "missing");
      if (digest !== f.sha256) {
        throw new UserError(
          `${source}: sha256 ${digest} does not match the manifest (${f.sha256}). The stored file is damaged; nothing was copied for it.`,
        );
      }
      const target = join(dest, f.name);
      const tmp = `${target}.mlgate-partial`;
      await copyFile(source, tmp);
      if ((await sha256File(tmp)) !== f.sha256) throw new Error(`copy of ${source} changed while copying`);
      await rename(tmp, target);
      written.push(target);
    }
    return written;
  }

  async promote(event: Omit<StageEvent, "at" | "manifest_sha256">): Promise<StageEvent> {
    const manifestText = await readFile(
      join(this.location, event.model, `v${event.version}`, "manifest.json"),
    ).catch(() => {
      throw new UserError(
        `promote: ${event.model}@${event.version} is not in the registry at ${this.location}. See \`mlgate registry list\`.`,
      );
    });
    const full: StageEvent = {
      ...event,
      at: new Date().toISOString(),
      manifest_sha256: sha256(manifestText),
    };
    // one short line with O_APPEND: concurrent promotions interleave whole lines, never parts
    await appendFile(join(this.location, event.model, "stages.jsonl"), `${JSON.stringify(full)}\n`);
    return full;
  }

  async stageHistory(model: string, stage?: string): Promise<StageEvent[]> {
    const file = join(this.location, model, "stages.jsonl");
    const text = await readFile(file, "utf8").catch(() => "");
    const events: StageEvent[] = [];
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        events.push(JSON.parse(line) as StageEvent);
      } catch {
        throw new UserError(`${file}:${i + 1}: not a valid stage record. Remove or repair this line.`);
      }
    });
    return stage === undefined ? events : events.filter((e) => e.stage === stage);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
