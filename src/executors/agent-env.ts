// The environment an agent process gets: an allow-list, never the worker's own environment. A worker
// holds the gateway's key, provider keys and the database password, while an agent is a program fed
// untrusted text that can print (or send) whatever it sees; so it sees only what lets it run, plus
// the credentials of its own executor, plus what the operator names in AGENTS_AGENT_ENV.

/** Passed to every agent when set: where programs are, who and where it runs, temp folder, time zone. */
const BASE_NAMES = ["PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LANGUAGE"] as const;
/** Locale categories (LC_ALL, LC_CTYPE, …), passed like LANG. */
const LOCALE_NAME = /^LC_[A-Z]+$/;

/** What the Claude Code CLI needs to log in: its token or API key, and where its settings live. */
export const CLAUDE_AGENT_ENV = [
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_BASE_URL",
  "CLAUDE_CONFIG_DIR",
] as const;

export type AgentEnvOptions = {
  /** Names of further variables to copy from `source` when set (the executor's credentials, AGENTS_AGENT_ENV). */
  pass?: readonly string[];
  /** Variables set as given, over everything else. */
  set?: Readonly<Record<string, string>>;
  /** Where values are copied from (default this process's environment). */
  source?: NodeJS.ProcessEnv;
};

/** The agent's whole environment: the base names, locale, `pass` (when set in `source`), then `set`. */
export function agentEnvironment(o: AgentEnvOptions = {}): Record<string, string> {
  const source = o.source ?? process.env;
  const wanted = new Set<string>([...BASE_NAMES, ...(o.pass ?? [])]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (wanted.has(name) || LOCALE_NAME.test(name))) env[name] = value;
  }
  return { ...env, ...o.set };
}

/** Parse AGENTS_AGENT_ENV ("HTTPS_PROXY, NO_PROXY"): the names of extra variables agents get. */
export function parseAgentEnvNames(spec: string): string[] {
  return spec
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
}
