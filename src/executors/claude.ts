// The Claude Code CLI executor: `claude -p --output-format stream-json --verbose`, prompt on stdin,
// no shell, in the task's own folder. The CLI gets an allow-listed environment: the base variables,
// Claude's own credentials (CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_API_KEY, …, copied from this process)
// and nothing else of the worker's; nothing here reads or logs the credentials. Flags are the real
// CLI's (2.1.x `claude --help`; test/executors/claude-help.int.spec.ts checks them when the CLI is
// installed): in -p mode tools the permission mode does not allow are refused, so the mode and the
// allowed tools are chosen on purpose (default acceptEdits: edits inside the task folder, no Bash).
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import type { PermissionMode } from "../core/events/catalogue/submission.ts";
import type { AuthProbe, Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { agentEnvironment, CLAUDE_AGENT_ENV } from "./agent-env.ts";
import { readStoredCredentials, type StoredCredentials } from "./claude-auth-dir.ts";
import { interpretClaudeRun } from "./claude-outcome.ts";
import { spawnAgent } from "./orphan-guard.ts";
import { reportProgress } from "./progress.ts";
import { createStreamJsonParser } from "./stream-json.ts";
import { parseJson } from "./text.ts";

export { CLAUDE_RATE_LIMIT_RETRY_MS, CLAUDE_USAGE_LIMIT_RETRY_MS } from "./claude-outcome.ts";

/** How the CLI runs when a request does not say otherwise. */
export type ClaudeDefaults = {
  /** `--permission-mode` (default acceptEdits: file edits in the task folder, nothing else). */
  permissionMode?: PermissionMode;
  /** `--allowedTools` (default none). */
  allowedTools?: readonly string[];
  /** `--max-turns` (default: the CLI's own). */
  maxTurns?: number | undefined;
};

export type ClaudeExecutorOptions = {
  /** The CLI to run (default "claude"). */
  command?: string;
  /** Arguments placed before the claude flags, e.g. a script path when `command` is node. */
  args?: string[];
  /** Variables set for the CLI as given, on top of its allow-listed environment. */
  env?: Record<string, string>;
  /** Names of further variables of this process the CLI gets (AGENTS_AGENT_ENV). */
  passEnv?: readonly string[];
  defaults?: ClaudeDefaults;
  /**
   * AGENTS_CLAUDE_AUTH_DIR: where `agents auth setup` stored credentials. Used only when this
   * process's environment holds none (see usesStoredCredentials); read again at every probe.
   */
  authDir?: string | undefined;
  /** Where the worker's own credentials are looked for (default process.env). */
  source?: NodeJS.ProcessEnv;
};

/** Variables that are Claude credentials of their own: with one set, the stored ones are not used. */
const OWN_CREDENTIALS = ["CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"] as const;

/** Whether a worker with this environment takes its Claude credentials from the auth directory. */
export function usesStoredCredentials(authDir: string | undefined, source: NodeJS.ProcessEnv): boolean {
  return Boolean(authDir) && OWN_CREDENTIALS.every((n) => !source[n]);
}

/** The safe unattended default: edits inside the working folder are accepted, other tools refused. */
export const DEFAULT_PERMISSION_MODE: PermissionMode = "acceptEdits";

/** Creates an executor that runs each request through the Claude Code CLI in its own working folder. */
export function createClaudeExecutor(opts: ClaudeExecutorOptions = {}): Executor {
  const command = opts.command ?? "claude";
  const source = opts.source ?? process.env;
  const authDir = usesStoredCredentials(opts.authDir, source) ? opts.authDir : undefined;
  // The stored credentials as last read (at the last probe, or before the first run).
  let stored: StoredCredentials | undefined;
  const reread = async () => {
    if (authDir) stored = await readStoredCredentials(authDir);
    return stored;
  };
  const env = (extra: Record<string, string> = {}) =>
    agentEnvironment({
      source,
      pass: [...CLAUDE_AGENT_ENV, ...(opts.passEnv ?? [])],
      // The stored credentials go to the CLI child only, never into this process's environment.
      set: { ...(stored?.kind === "none" ? {} : stored?.env), ...opts.env, ...extra },
    });
  return {
    name: "claude",
    usesWorkdir: true,
    rechecksCredentials: authDir !== undefined,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      if (authDir && stored === undefined) await reread();
      const parser = createStreamJsonParser((turn) =>
        reportProgress(request, { turns: turn.turns, message: turn.text, output_tokens: turn.output_tokens }),
      );
      const extra: Record<string, string> = request.maxTokens
        ? { CLAUDE_CODE_MAX_OUTPUT_TOKENS: String(request.maxTokens) }
        : {};
      const args = [...(opts.args ?? []), ...claudeArgs(request, opts.defaults)];
      const subprocess = spawnAgent(command, args, request, env(extra));
      subprocess.stdout.on("data", (chunk: Uint8Array) => parser.push(chunk));
      const outcome = await subprocess;
      return interpretClaudeRun(outcome, parser.end(), request, Date.now());
    },
    probeAuth: async () => {
      const found = await reread();
      const probe = await probeClaudeAuth(command, opts.args ?? [], env());
      return found ? withStored(probe, found) : probe;
    },
  };
}

/**
 * The claude flags for one request. `--verbose` is required by the CLI for stream-json in print
 * mode. Every value that comes from a submission is passed as one `--flag=value` word, so it is the
 * option's value whatever it holds and never a flag of its own.
 */
export function claudeArgs(request: ExecutorRequest, defaults: ClaudeDefaults = {}): string[] {
  // Unattended runs are never resumed (a continuation starts a fresh agent): keep no session files.
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--no-session-persistence"];
  if (request.model) args.push(`--model=${request.model}`);
  const maxTurns = request.maxTurns ?? defaults.maxTurns;
  if (maxTurns !== undefined) args.push(`--max-turns=${maxTurns}`);
  args.push(
    `--permission-mode=${request.permissionMode ?? defaults.permissionMode ?? DEFAULT_PERMISSION_MODE}`,
  );
  const tools = request.allowedTools ?? defaults.allowedTools ?? [];
  if (tools.length > 0) args.push(`--allowedTools=${tools.join(",")}`);
  if (request.systemPrompt) args.push(`--append-system-prompt=${request.systemPrompt}`);
  return args;
}

/** `claude auth status --json` as the 2.1.x CLI prints it (fields used here). */
const AuthStatus = z.object({
  loggedIn: z.boolean(),
  authMethod: z.string().optional(),
  loginExpiresAt: z.union([z.string(), z.number()]).nullish(),
  apiKeySource: z.string().optional(),
});

/**
 * Ask the CLI whether it is logged in (offline: it reads its local credentials). Not authoritative:
 * an expired or revoked token still reads as logged in until a run is refused.
 */
async function probeClaudeAuth(
  command: string,
  prefix: readonly string[],
  env: Record<string, string>,
): Promise<AuthProbe> {
  try {
    const r = await execa(command, [...prefix, "auth", "status", "--json"], {
      env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
      stdin: "ignore",
    });
    const parsed = AuthStatus.safeParse(parseJson(r.stdout));
    if (!parsed.success)
      return {
        ok: undefined,
        detail: `claude auth status gave no answer (exit ${r.exitCode ?? r.signal ?? "?"})`,
        authoritative: false,
      };
    const s = parsed.data;
    const expires =
      s.loginExpiresAt === null || s.loginExpiresAt === undefined
        ? null
        : new Date(typeof s.loginExpiresAt === "number" ? s.loginExpiresAt : Date.parse(s.loginExpiresAt));
    const expiresAt = expires && !Number.isNaN(expires.getTime()) ? expires.toISOString() : null;
    const fileMtime = await credentialsMtime(env);
    return {
      ok: s.loggedIn && (expires === null || expires.getTime() > Date.now()),
      detail: s.loggedIn ? `logged in (${s.authMethod ?? "unknown method"})` : "not logged in",
      method: s.authMethod,
      expires_at: expiresAt,
      authoritative: false,
      fingerprint: JSON.stringify([s.loggedIn, s.authMethod, expiresAt, s.apiKeySource, fileMtime]),
    };
  } catch (err) {
    return { ok: undefined, detail: `claude auth status failed: ${errorMessage(err)}`, authoritative: false };
  }
}

/**
 * The CLI's answer with what the directory holds: its kind as the method, its expiry when the CLI
 * names none, and a fingerprint that changes when the stored credentials are rotated.
 */
function withStored(probe: AuthProbe, found: StoredCredentials): AuthProbe {
  if (found.kind === "none") {
    return probe.ok === false ? { ...probe, detail: `${probe.detail}; ${found.detail}` } : probe;
  }
  return {
    ...probe,
    detail: `${probe.detail}; stored ${found.kind}${found.stored_at ? ` at ${found.stored_at}` : ""}`,
    method: found.kind,
    expires_at: probe.expires_at ?? found.expires_at,
    fingerprint: JSON.stringify([probe.fingerprint ?? null, found.fingerprint]),
  };
}

/** When the CLI's credentials file last changed (it is rewritten on login and token refresh). */
async function credentialsMtime(env: Record<string, string>): Promise<number | null> {
  const dir = env.CLAUDE_CONFIG_DIR ?? join(env.HOME ?? homedir(), ".claude");
  return stat(join(dir, ".credentials.json")).then(
    (s) => s.mtimeMs,
    () => null,
  );
}
