// Model routing: which executor runs a model. A worker hosts several executors; the orchestrator
// puts each task's work on its route's lanes (agents.work.<route>.<queue>.<band>), so work for a
// model reaches only workers that can run it. Defaults follow llm_call: `max/…`, `max`, `opus`,
// `sonnet`, `haiku` and `claude-*` go to the Claude CLI, everything else to the OpenAI-compatible
// endpoint; entries users set (AGENTS_MODEL_ROUTES) are tried first.
import { z } from "zod";
import type { FieldIssue } from "../errors.ts";

/** The executors a model can route to; each names lanes of its own on the work stream. */
export const Route = z.enum(["claude", "openai", "command"]);
export type Route = z.infer<typeof Route>;

/** One user route: a model name, or a prefix ending in `*` (`llama*`, `*` for every other model). */
export type RouteEntry = { pattern: string; route: Route };
export type ModelRoutes = readonly RouteEntry[];

/** The Claude CLI's own names: its aliases and prefixes (llm_call's `max/…` included). */
const CLAUDE_ALIASES = new Set(["max", "opus", "sonnet", "haiku", "opusplan"]);
const CLAUDE_PREFIXES = ["max/", "claude-", "anthropic/claude-"];

/** Whether a pattern matches a model: exact, or a `prefix*`. */
function matches(pattern: string, model: string): boolean {
  return pattern.endsWith("*") ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/** The route of a model: the first user entry that matches (longest prefix first), else the defaults. */
export function routeFor(model: string, routes: ModelRoutes = []): Route {
  const hit = [...routes]
    .filter((r) => matches(r.pattern, model))
    .sort((a, b) => specificity(b.pattern) - specificity(a.pattern))[0];
  if (hit) return hit.route;
  return isClaudeModel(model) ? "claude" : "openai";
}

/** Exact names beat prefixes; longer prefixes beat shorter ones. */
function specificity(pattern: string): number {
  return pattern.endsWith("*") ? pattern.length - 1 : Number.MAX_SAFE_INTEGER;
}

/** True for the names llm_call sends to the Claude CLI. */
export function isClaudeModel(model: string): boolean {
  const m = model.toLowerCase();
  return CLAUDE_ALIASES.has(m) || CLAUDE_PREFIXES.some((p) => m.startsWith(p));
}

/** Parse "gpt-4o=openai, llama*=command, *=openai" into entries, or the issues naming each bad part. */
export function parseModelRoutes(spec: string): { routes: RouteEntry[]; issues: FieldIssue[] } {
  const routes: RouteEntry[] = [];
  const issues: FieldIssue[] = [];
  const parts = spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const part of parts) {
    const [pattern, route, ...rest] = part.split("=").map((s) => s.trim());
    const r = Route.safeParse(route);
    if (!pattern || rest.length > 0 || !r.success || (pattern.includes("*") && !pattern.endsWith("*"))) {
      issues.push({
        path: "AGENTS_MODEL_ROUTES",
        message: `"${part}" is not MODEL=ROUTE (MODEL exact or ending in *, ROUTE one of ${Route.options.join(", ")})`,
      });
      continue;
    }
    routes.push({ pattern, route: r.data });
  }
  return { routes, issues };
}

/** The routes of a model chain, in order, without repeats. */
export function routesOf(models: readonly string[], routes: ModelRoutes = []): Route[] {
  return [...new Set(models.map((m) => routeFor(m, routes)))];
}
