// A task's artifacts (the files its agent wrote in its task folder, kept in the object store):
// GET /v1/agents/tasks/{id}/artifacts lists them, GET /v1/agents/tasks/{id}/artifacts/{name}
// downloads one. Agent files are untrusted, so a download is always an attachment of type
// application/octet-stream that browsers may neither sniff nor render (nosniff, a sandboxing CSP).
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { Id } from "../../core/events/index.ts";
import type { TaskDoc } from "../../projections/task-details/evolve.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { getById } from "../lookup.ts";

export const ArtifactItem = z.object({
  name: z.string().describe("the file's path inside the task folder"),
  bytes: z.number().int(),
  url: z.string().describe("where to download it"),
});

const ArtifactList = z.object({
  task_id: z.string(),
  artifacts: z.array(ArtifactItem),
  skipped: z.number().int().describe("files left out (over the count or size bound, or no regular file)"),
});

/** The download path of one artifact (each path segment encoded). */
export function artifactUrl(taskId: string, name: string): string {
  return `/v1/agents/tasks/${encodeURIComponent(taskId)}/artifacts/${name.split("/").map(encodeURIComponent).join("/")}`;
}

/** A task's artifacts as the API lists them. */
export function artifactItems(
  t: Pick<TaskDoc, "task_id" | "artifacts">,
): Array<z.infer<typeof ArtifactItem>> {
  return (t.artifacts ?? []).map((a) => ({
    name: a.name,
    bytes: a.bytes,
    url: artifactUrl(t.task_id, a.name),
  }));
}

/** Content-Disposition for an untrusted name: an ASCII fallback and the exact name (RFC 6266 / 5987). */
export function attachment(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1) || "artifact";
  const ascii = base.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200) || "artifact";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

async function taskOf(ctx: GatewayContext, id: string): Promise<TaskDoc> {
  const found = await getById(ctx, id);
  if (found.kind !== "task")
    throw new HttpError(
      ErrorCode.NotFound,
      `${id} is a job; artifacts belong to its tasks (see /v1/agents/jobs/${id}/tasks)`,
    );
  return found.task;
}

export const artifactRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/v1/agents/tasks/:id/artifacts",
    {
      schema: {
        tags: ["jobs"],
        summary: "The files a task's agent wrote (its artifacts)",
        params: z.object({ id: Id }),
        response: { 200: ArtifactList, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const t = await taskOf(ctx, req.params.id);
      return { task_id: t.task_id, artifacts: artifactItems(t), skipped: t.artifacts_skipped ?? 0 };
    },
  );
  r.get(
    "/v1/agents/tasks/:id/artifacts/*",
    {
      schema: {
        tags: ["jobs"],
        summary: "Download one artifact",
        description:
          "The file's bytes as application/octet-stream, always an attachment (agent files are untrusted: they are never rendered).",
        params: z.object({ id: Id, "*": z.string().min(1).max(512).describe("the artifact's name") }),
        response: {
          // Bytes, sent as they are (fastify does not serialize a Buffer).
          200: z.any().describe("the file's bytes (application/octet-stream)"),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const t = await taskOf(ctx, req.params.id);
      const name = req.params["*"];
      const entry = (t.artifacts ?? []).find((a) => a.name === name);
      if (!entry)
        throw new HttpError(
          ErrorCode.NotFound,
          `task ${t.task_id} has no artifact "${name}"; GET /v1/agents/tasks/${t.task_id}/artifacts lists them`,
        );
      const bytes = await ctx.deps.artifacts.findBytes(entry.ref);
      if (!bytes)
        throw new HttpError(
          ErrorCode.NotFound,
          `artifact "${name}" of task ${t.task_id} is no longer stored`,
        );
      return reply
        .header("content-type", "application/octet-stream")
        .header("content-disposition", attachment(name))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, no-store")
        .send(Buffer.from(bytes));
    },
  );
};
