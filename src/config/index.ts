// One zod schema over the environment: local defaults, and an error naming the variable when bad.
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { ModelName } from "../core/events/catalogue/shared.ts";
import { PermissionMode, ToolRule } from "../core/events/catalogue/submission.ts";
import { DEFAULT_WORK_ACK_WAIT_MS } from "../core/events/subjects.ts";
import { parseBudgetsSpec } from "../core/limits/budget-spec.ts";
import { type ModelLimit, parseLimitsSpec } from "../core/limits/spec.ts";
import { parseModelRoutes } from "../core/providers/routes.ts";
import { hasUrlCredentials, redactText, SECRET_ENV_NAMES, secretValues } from "../observability/redact.ts";

const Bool = z
  .enum(["0", "1", "true", "false", "yes", "no"], { error: "must be true or false (or 1/0, yes/no)" })
  .transform((v) => ["1", "true", "yes"].includes(v));

/** An integer variable whose every refusal names the allowed range (not "expected number, received NaN"). */
function int(min: number, max?: number, error?: string) {
  const allowed =
    error ?? (max === undefined ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`);
  const n = z.coerce.number({ error: allowed }).int({ error: allowed }).min(min, { error: allowed });
  return max === undefined ? n : n.max(max, { error: allowed });
}
const Millis = int(1, undefined, "must be a whole number of milliseconds ≥ 1");
const Port = int(0, 65535, "must be a port number from 0 to 65535");
const daysAllowed = "must be a number of days from 0 to 36500";
/** Days may be fractional (0.5 keeps half a day), so this is not int(). */
const Days = z.coerce
  .number({ error: daysAllowed })
  .min(0, { error: daysAllowed })
  .max(36_500, { error: daysAllowed });

const RATE_RULE = "must be a number from 0 to 1 (a share: 0.25 is one in four)";
const Rate = z.coerce.number({ error: RATE_RULE }).min(0, { error: RATE_RULE }).max(1, { error: RATE_RULE });

/** One of a few words, the refusal listing them. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

const NATS_URL_FORMAT = "must be nats://HOST:PORT or tls://HOST:PORT, several separated by commas";

/** Whether every comma-separated part of a NATS_URL is a nats:// or tls:// URL with a host (and a valid port). */
export function isNatsUrlList(value: string): boolean {
  return value.split(",").every((part) => natsAddress(part.trim()) !== undefined);
}

/** Host and port of one NATS URL (port 4222 when absent), or undefined when it is not one. */
export function natsAddress(url: string): { host: string; port: number } | undefined {
  const m = /^(nats|tls):\/\//i.exec(url);
  if (!m) return undefined;
  let u: URL;
  try {
    // WHATWG URL parsing of an unknown scheme keeps the host as is; http: gives host and port checks.
    u = new URL(`http://${url.slice(m[0].length)}`);
  } catch {
    return undefined;
  }
  if (!u.hostname || (u.pathname !== "/" && u.pathname !== "") || u.search || u.hash) return undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || 4222) };
}
// HTTP clients (fetch) refuse a URL with credentials and quote it whole in their error, so such a
// URL never works and would print its password: refuse it here, naming the variable to use instead.
const noCredentials = (use: string) =>
  [
    (url: string) => !hasUrlCredentials(url),
    `must not hold credentials (user:password@); set ${use}`,
  ] as const;

/** The executors a worker can host. */
export const ExecutorKindSchema = oneOf(["claude", "openai", "command", "echo"]);

export const ConfigSchema = z.object({
  /** Where the NATS server answers; `agents up` starts a local one when none does. */
  NATS_URL: z.string().refine(isNatsUrlList, NATS_URL_FORMAT).default("nats://127.0.0.1:4222"),
  // NATS credentials: at most one kind (user and password, a token, an nkey seed file or a creds
  // file). None means an open server, which only a local loopback setup should run.
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
  /** File holding an nkey seed (SU…); read at connect, never logged. */
  NATS_NKEY_SEED_FILE: z.string().optional(),
  /** A .creds file (JWT and seed) for servers in operator mode. */
  NATS_CREDS_FILE: z.string().optional(),
  /**
   * Prefix of this process's reply subjects; the server lets each user subscribe only to its own
   * (see docs/production.md). Default `_INBOX.<NATS_USER>` with a user, else `_INBOX`.
   */
  NATS_INBOX_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be subject tokens without wildcards or spaces")
    .optional(),
  /** TLS: the CA that signed the server's certificate (TLS is used when any NATS_TLS_* is set). */
  NATS_TLS_CA_FILE: z.string().optional(),
  /** TLS client certificate and its key, for servers that verify clients (both or neither). */
  NATS_TLS_CERT_FILE: z.string().optional(),
  NATS_TLS_KEY_FILE: z.string().optional(),
  /** Folder for local state: the nats-server store, task working folders. */
  AGENTS_DATA_DIR: z.string().default(".data"),
  /** Gateway HTTP port. */
  AGENTS_PORT: Port.default(8002),
  /** Gateway bind address; on loopback with AGENTS_LOCAL_MODE the API key is optional. */
  AGENTS_HOST: z.string().default("127.0.0.1"),
  /** Local mode: no API key required, but only when bound to loopback. */
  AGENTS_LOCAL_MODE: Bool.default(true),
  /**
   * The executors a worker hosts, comma separated: claude, openai, command (each serves the models
   * that route to it), or echo alone (offline: answers every route). Default: claude if on PATH.
   */
  AGENTS_EXECUTOR: z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(ExecutorKindSchema)
        .min(1, "must name at least one executor")
        .refine(
          (ks) => !ks.includes("echo") || ks.length === 1,
          "echo stands in for every executor: use it alone",
        ),
    )
    .optional(),
  /**
   * Which executor runs a model, over the defaults (max/…, opus, sonnet, haiku, claude-* → claude;
   * others → openai): "gpt-4o=openai,llama*=command,*=openai" (a name, or a prefix ending in *).
   */
  AGENTS_MODEL_ROUTES: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const parsed = parseModelRoutes(v);
      for (const i of parsed.issues) ctx.addIssue({ code: "custom", message: i.message });
      return parsed.routes;
    }),
  /** A JSON file of model prices merged over the defaults ({"models":{"NAME":{"input_per_mtok":…,"output_per_mtok":…}}}). */
  AGENTS_PRICES: z.string().optional(),
  /** The Claude CLI's permission mode on this worker (`--permission-mode`). */
  AGENTS_CLAUDE_PERMISSION_MODE: PermissionMode.default("acceptEdits"),
  /** Tools the Claude CLI may use without asking, comma separated (`--allowedTools`), e.g. "Bash(npm test),WebFetch". */
  AGENTS_CLAUDE_ALLOWED_TOOLS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(ToolRule)),
  /** Most turns per Claude run (`--max-turns`) when a submission sets none; unset: the CLI's own. */
  AGENTS_CLAUDE_MAX_TURNS: int(1, 1000).optional(),
  /** Whether submissions may set permission_mode and allowed_tools (they widen what agents may do). */
  AGENTS_SUBMIT_PERMISSIONS: Bool.default(false),
  /** Files kept per run from the agent's task folder. */
  AGENTS_ARTIFACT_MAX_FILES: int(0, 1000).default(100),
  /** Bytes kept per run from the agent's task folder (all files together). */
  AGENTS_ARTIFACT_MAX_BYTES: int(0, 1_073_741_824).default(20 * 1_048_576),
  /** ms between checks of an executor whose credentials failed (it takes no work meanwhile). */
  AGENTS_AUTH_RECHECK_MS: Millis.default(60_000),
  /** The echo executor's wait before each answer (ms; 0 answers at once). `--demo` sets 3000. */
  AGENTS_ECHO_DELAY_MS: int(0, 3_600_000).default(0),
  /** Share (0–1) of echo critic answers that score low, so a revision runs. `--demo` sets 0.3. */
  AGENTS_ECHO_LOW_SCORE_RATE: Rate.default(0),
  /** Share (0–1) of echo generator and continuation answers that hand off. `--demo` sets 0.2. */
  AGENTS_ECHO_HANDOFF_RATE: Rate.default(0),
  /** Bearer key the gateway requires outside local mode. */
  AGENTS_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  /** ArangoDB URL; unset means the embedded projection store. */
  ARANGO_URL: z
    .url()
    .refine(...noCredentials("ARANGO_USERNAME and ARANGO_PASSWORD"))
    .optional(),
  ARANGO_DATABASE: z.string().default("agents"),
  ARANGO_USERNAME: z.string().default("root"),
  ARANGO_PASSWORD: z.string().optional(),
  /** Log lines: pretty on a terminal and JSON otherwise (auto), or always json / pretty. */
  LOG_FORMAT: oneOf(["auto", "json", "pretty"]).default("auto"),
  LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** OpenAI-compatible base URL (…/v1) for the openai executor. */
  OPENAI_BASE_URL: z
    .string()
    .refine(...noCredentials("OPENAI_API_KEY"))
    .default("http://127.0.0.1:8001/v1"),
  OPENAI_API_KEY: z.string().optional(),
  /** Command for the command executor, split on spaces (no shell). */
  AGENTS_COMMAND: z.string().optional(),
  /**
   * Extra variables agents get, comma separated (e.g. "HTTPS_PROXY,NO_PROXY"). Agents otherwise see
   * only PATH, HOME, USER, LOGNAME, TMPDIR, TZ, LANG, LANGUAGE, LC_* and their own executor's
   * credentials (claude: CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_API_KEY, …; command: none).
   */
  AGENTS_AGENT_ENV: z
    .string()
    .regex(/^\s*([A-Za-z_][A-Za-z0-9_]*\s*(,\s*|$))*$/, "must be variable names separated by commas")
    .default(""),
  /**
   * Where `agents auth setup` stores Claude credentials (a volume or secret; workers mount it
   * read-only). A worker whose environment has no Claude credentials reads them from here at every
   * recheck (AGENTS_AUTH_RECHECK_MS).
   */
  AGENTS_CLAUDE_AUTH_DIR: z.string().min(1).optional(),
  /** Claude CLI executable. */
  CLAUDE_COMMAND: z.string().default("claude"),
  /** Default model when a submission names none; held to the same rule as submitted names. */
  AGENTS_DEFAULT_MODEL: ModelName.default("sonnet"),
  /** Concurrent agents per worker process. */
  AGENTS_WORKER_CONCURRENCY: int(1, 1000).default(4),
  /** Queues this worker serves, comma separated. */
  AGENTS_QUEUES: z.string().default("standard,heavy,critic"),
  /** Agent wall-clock limit per task (ms). */
  AGENTS_TASK_TIMEOUT_MS: Millis.default(30 * 60_000),
  /** Grace between SIGTERM and SIGKILL when stopping an agent (ms). */
  AGENTS_KILL_GRACE_MS: Millis.default(5_000),
  /**
   * Replicas of every stream and bucket the orchestrator creates: 3 on a three-node JetStream
   * cluster (it survives one node's loss), 1 on a single server. Set it before the first start:
   * later the orchestrator rescales the event and work streams, but the buckets keep theirs.
   * Unset, streams are created with 1 and an existing stream keeps its count, so a process started
   * without it never scales a replicated stream down.
   */
  AGENTS_STREAM_REPLICAS: int(1, 5).optional(),
  /**
   * Retention of the event stream (days; 0 keeps events forever). Older events are removed; a fold
   * from the start (a cold start, `agents replay`) then reads the newest snapshot plus what is left,
   * so snapshots must be on (AGENTS_SNAPSHOT_EVERY_EVENTS > 0). See docs/production.md.
   */
  AGENTS_EVENTS_MAX_AGE_DAYS: Days.default(0),
  /** Retention of the event stream by size (bytes; 0: no cap): the oldest events go first. */
  AGENTS_EVENTS_MAX_BYTES: int(0).default(0),
  /**
   * Events between snapshots of the orchestrator's state and of the projections (0: none). A cold
   * start reads the newest snapshot and folds only the events after it.
   */
  AGENTS_SNAPSHOT_EVERY_EVENTS: int(0).default(100_000),
  /** How often (ms) the orchestrator and the projections look whether a snapshot is due. */
  AGENTS_SNAPSHOT_CHECK_MS: Millis.default(60_000),
  /**
   * Ack wait of work messages (ms): a dead worker's task is redelivered this long after its last
   * heartbeat (heartbeats go out at a third of it). The default keeps redelivery within 10 s.
   */
  AGENTS_WORK_ACK_WAIT_MS: Millis.default(DEFAULT_WORK_ACK_WAIT_MS),
  /** ms between task.progress events of a running task. */
  AGENTS_PROGRESS_EVERY_MS: Millis.default(10_000),
  /** Attempts before a task is dead-lettered. */
  AGENTS_MAX_ATTEMPTS: int(1, 50).default(3),
  /** First retry delay (ms); doubles per attempt, with jitter. */
  AGENTS_RETRY_BASE_MS: Millis.default(2_000),
  /** Longest continuation chain per iteration. */
  AGENTS_MAX_CONTINUATIONS: int(0, 50).default(3),
  /**
   * The orchestrator's leader lease (ms): one orchestrator leads, others wait as standbys and take
   * over when the leader stops renewing for this long (at once when it shuts down cleanly).
   */
  AGENTS_ORCHESTRATOR_LEASE_MS: int(1000, 600_000).default(15_000),
  /** How often the leading orchestrator looks for stuck work (ms); it also looks once it takes over. */
  AGENTS_RECONCILE_EVERY_MS: Millis.default(15_000),
  /**
   * How long a task or job must sit unchanged before the reconciler repairs it (ms): long enough that
   * a decision in flight (a message waiting for redelivery, up to 30 s) is never raced.
   */
  AGENTS_RECONCILE_AFTER_MS: Millis.default(60_000),
  /**
   * How long a worker keeps retrying to save a finished agent's output and outcome while NATS is
   * unreachable (ms); heartbeats go on meanwhile, so the work message stays with it.
   */
  AGENTS_SAVE_PATIENCE_MS: Millis.default(120_000),
  /** Revision rounds after low critiques. */
  AGENTS_MAX_REVISIONS: int(0, 10).default(2),
  /** Per-model calls at once for the whole fleet, e.g. "sonnet=4,gpt-4o=8" (shorthand for AGENTS_MODEL_LIMITS' third part). */
  AGENTS_MODEL_CONCURRENCY: z.string().default(""),
  /**
   * Per-model limits shared by every worker: requests and tokens per window and calls at once, e.g.
   * "gpt-4o=500rpm/30000tpm/8,sonnet=4" (each part optional, in any order).
   */
  AGENTS_MODEL_LIMITS: z
    .string()
    .default("")
    .superRefine((text, ctx) => {
      const parsed = parseLimitsSpec(text);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    }),
  /** The window AGENTS_MODEL_LIMITS' rpm and tpm count over (ms); providers count per minute. */
  AGENTS_MODEL_LIMITS_WINDOW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * Whether a model the user set no rpm/tpm for is limited by what its provider advertises in its
   * rate-limit headers (on), or only held after a 429 (off).
   */
  AGENTS_MODEL_LIMITS_LEARN: oneOf(["on", "off"]).default("on"),
  /**
   * Per-model budgets per UTC day for the whole fleet, in US dollars and/or tokens, e.g.
   * "gpt-4o=25usd/3000000tokens,sonnet=10usd": a spent one stops new calls of that model until the next day.
   */
  AGENTS_MODEL_DAY_BUDGETS: z
    .string()
    .default("")
    .superRefine((text, ctx) => {
      const parsed = parseBudgetsSpec(text);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    }),
  /** Largest accepted HTTP body or NATS submission (bytes). */
  // NATS refuses messages over its max_payload (1 MiB by default) and the streams hold at most
  // 1 MiB per message, so a larger body could pass the gateway and then fail to publish.
  AGENTS_MAX_PAYLOAD_BYTES: int(
    1024,
    1_000_000,
    "must be an integer from 1024 to 1000000: NATS carries at most 1 MiB per message, with headers",
  ).default(1_000_000),
  /** Requests per minute at the gateway per valid API key, else per client address. */
  AGENTS_RATE_LIMIT_PER_MINUTE: int(1).default(600),
  /** Failed authentications per minute per client address before the gateway answers 429. */
  AGENTS_AUTH_FAILURES_PER_MINUTE: int(1).default(20),
  /** Gateway URL the CLI talks to; default http://127.0.0.1:${AGENTS_PORT}. */
  AGENTS_URL: z
    .url()
    .refine(...noCredentials("AGENTS_API_KEY"))
    .optional(),
  /** ms between SSE comment heartbeats (`: ping`) that keep proxies from closing idle streams. */
  AGENTS_SSE_HEARTBEAT_MS: Millis.default(15_000),
  /** Events buffered for one SSE client before it is dropped as too slow (it may resume by Last-Event-ID). */
  AGENTS_SSE_MAX_BUFFERED: int(16, 1_000_000).default(2_000),
  /**
   * ms a client has to send a whole request, headers and body (then 408 and the connection closes).
   * It ends once the request has arrived, so it never cuts an SSE stream or a slow response.
   */
  AGENTS_REQUEST_TIMEOUT_MS: Millis.default(30_000),
  /**
   * ms a gateway connection may stay silent in both directions before it is closed (a stalled body,
   * a vanished peer). SSE heartbeats count as traffic, so it must be at least twice
   * AGENTS_SSE_HEARTBEAT_MS (checked below).
   */
  AGENTS_IDLE_TIMEOUT_MS: Millis.default(60_000),
  /** /ready fails while projections are more than this many stream messages behind. */
  AGENTS_READY_MAX_LAG: int(0).default(1_000),
  /** Port of a /metrics-only HTTP listener for `agents orchestrator` / `agents worker` (unset: none). */
  AGENTS_METRICS_PORT: Port.optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

/**
 * What `--demo` sets where the environment leaves it unset: the offline echo executor, slowed to
 * 3 s an answer, with one critique in three low (a revision) and one answer in five handing off.
 */
export const DEMO_ENV = {
  AGENTS_EXECUTOR: "echo",
  AGENTS_ECHO_DELAY_MS: "3000",
  AGENTS_ECHO_LOW_SCORE_RATE: "0.3",
  AGENTS_ECHO_HANDOFF_RATE: "0.2",
} as const;

/** The configuration of a `--demo` run: DEMO_ENV under the environment; a non-echo executor is refused. */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env.AGENTS_EXECUTOR && env.AGENTS_EXECUTOR !== "echo")
    throw new ConfigError(
      `AGENTS_EXECUTOR: --demo runs the offline echo executor (got "${env.AGENTS_EXECUTOR}"); unset AGENTS_EXECUTOR or drop --demo`,
    );
  const unset = Object.entries(DEMO_ENV).filter(([k]) => !env[k]);
  return loadConfig({ ...env, ...Object.fromEntries(unset) });
}

/** The schema with the rules that span variables. */
const CheckedConfig = ConfigSchema.superRefine((c, ctx) => {
  // Each issue names the variable to fix (its path), never a value.
  const kinds = [
    c.NATS_USER !== undefined || c.NATS_PASSWORD !== undefined ? "NATS_USER" : undefined,
    c.NATS_TOKEN !== undefined ? "NATS_TOKEN" : undefined,
    c.NATS_NKEY_SEED_FILE !== undefined ? "NATS_NKEY_SEED_FILE" : undefined,
    c.NATS_CREDS_FILE !== undefined ? "NATS_CREDS_FILE" : undefined,
  ].filter((k) => k !== undefined);
  if (kinds.length > 1)
    ctx.addIssue({
      code: "custom",
      path: [kinds[1] ?? ""],
      message: `set one kind of NATS credentials, not ${kinds.join(" and ")}`,
    });
  if ((c.NATS_USER === undefined) !== (c.NATS_PASSWORD === undefined))
    ctx.addIssue({
      code: "custom",
      path: [c.NATS_USER === undefined ? "NATS_USER" : "NATS_PASSWORD"],
      message: "NATS_USER and NATS_PASSWORD go together",
    });
  if ((c.NATS_TLS_CERT_FILE === undefined) !== (c.NATS_TLS_KEY_FILE === undefined))
    ctx.addIssue({
      code: "custom",
      path: [c.NATS_TLS_CERT_FILE === undefined ? "NATS_TLS_CERT_FILE" : "NATS_TLS_KEY_FILE"],
      message: "NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together",
    });
  // Once old events are removed, only a snapshot holds what they folded to.
  if (
    (c.AGENTS_EVENTS_MAX_AGE_DAYS > 0 || c.AGENTS_EVENTS_MAX_BYTES > 0) &&
    c.AGENTS_SNAPSHOT_EVERY_EVENTS === 0
  )
    ctx.addIssue({
      code: "custom",
      path: ["AGENTS_SNAPSHOT_EVERY_EVENTS"],
      message:
        "must be above 0 while AGENTS_EVENTS_MAX_AGE_DAYS or AGENTS_EVENTS_MAX_BYTES limits the stream: without snapshots a cold start would fold only the events that are left",
    });
  // An idle timeout shorter than two heartbeats would close healthy SSE streams between pings.
  if (c.AGENTS_IDLE_TIMEOUT_MS < 2 * c.AGENTS_SSE_HEARTBEAT_MS)
    ctx.addIssue({
      code: "custom",
      path: ["AGENTS_IDLE_TIMEOUT_MS"],
      message: `must be at least twice AGENTS_SSE_HEARTBEAT_MS (${c.AGENTS_SSE_HEARTBEAT_MS}), or idle SSE streams are closed between heartbeats`,
    });
});

/** Parse the environment into a Config, or throw a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = CheckedConfig.safeParse(input);
  if (!parsed.success) {
    // "NAME: what it must be (got VALUE)", one per problem: the variable first, then the allowed values.
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "(env)");
      return `${name}: ${i.message} (got ${shown(name, env[name])})`;
    });
    // Whatever else the messages quote, no secret value or URL credential is printed.
    throw new ConfigError(redactText(`invalid configuration: ${lines.join("; ")}`, secretValues(env)));
  }
  return parsed.data;
}

const SECRET_NAMES = new Set<string>(SECRET_ENV_NAMES);

/** A variable's value as a config error shows it: a secret only by its length, URLs without credentials. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '""';
  if (SECRET_NAMES.has(name)) return `a hidden value of ${value.length} characters`;
  return JSON.stringify(redactText(value, []));
}

/**
 * Every model's limits: AGENTS_MODEL_LIMITS, with AGENTS_MODEL_CONCURRENCY's calls at once for the
 * models it names (one mechanism; a model given calls at once by both is refused) and
 * AGENTS_MODEL_DAY_BUDGETS' day budgets.
 */
export function modelLimitsOf(config: Config): Map<string, ModelLimit> {
  const parsed = parseLimitsSpec(config.AGENTS_MODEL_LIMITS);
  if (!parsed.ok) throw new ConfigError(`AGENTS_MODEL_LIMITS: ${parsed.error}`);
  const limits = parsed.limits;
  for (const [model, concurrency] of parseModelLimits(config.AGENTS_MODEL_CONCURRENCY)) {
    const limit = limits.get(model) ?? {};
    if (limit.concurrency !== undefined)
      throw new ConfigError(
        `AGENTS_MODEL_CONCURRENCY: ${model} also has calls at once in AGENTS_MODEL_LIMITS; set it in one of them`,
      );
    limits.set(model, { ...limit, concurrency });
  }
  const budgets = parseBudgetsSpec(config.AGENTS_MODEL_DAY_BUDGETS);
  if (!budgets.ok) throw new ConfigError(`AGENTS_MODEL_DAY_BUDGETS: ${budgets.error}`);
  for (const [model, day] of budgets.budgets) limits.set(model, { ...limits.get(model), day });
  return limits;
}

/** Parse "a=1,b=2" into a map of model → limit; entries that are not positive integers are refused. */
export function parseModelLimits(spec: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [model, raw, ...rest] = part.split("=");
    const n = Number(raw);
    if (!model || rest.length > 0 || !Number.isInteger(n) || n < 1) {
      throw new ConfigError(`AGENTS_MODEL_CONCURRENCY: "${part}" is not model=positive-integer`);
    }
    limits.set(model, n);
  }
  return limits;
}
