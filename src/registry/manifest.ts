/** `manifest.json`: the model card every registry version carries (PRODUCT.md §5). */
import { z } from "zod";

export const MANIFEST_SCHEMA = "mlgate.manifest/v1";

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestFile = z.strictObject({
  name: z.string().min(1),
  role: z.enum(["artifact", "predictions", "profile", "metrics"]),
  size: z.int().min(0),
  sha256: Sha256,
});

export const Manifest = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  model: z.string().min(1),
  version: z.int().min(1),
  commit: z.string().min(7),
  dirty: z.boolean(),
  parent_version: z.int().min(1).nullable(),
  created_at: z.string(),
  task: z.enum(["binary", "multiclass", "regression"]),
  files: z.array(ManifestFile),
  metrics: z.record(z.string(), z.number().nullable()),
  ci: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
  verdict: z.enum(["ready", "warnings", "blocked"]).nullable(),
  eval: z.strictObject({ rows: z.int().min(0), fingerprint: Sha256 }),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  datasets: z.array(
    z.strictObject({ name: z.string(), path: z.string(), sha256: Sha256, rows: z.int().min(0) }),
  ),
  environment: z.strictObject({ mlgate: z.string(), node: z.string(), platform: z.string() }),
  run_url: z.string().nullable(),
});
export type Manifest = z.infer<typeof Manifest>;
export type ManifestFile = z.infer<typeof ManifestFile>;
/** What a caller supplies; the registry fills in version, parent and file digests. */
export type ManifestDraft = Omit<Manifest, "schema" | "version" | "parent_version" | "files" | "created_at">;
