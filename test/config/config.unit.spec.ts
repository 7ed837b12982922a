import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig, modelLimitsOf, parseModelLimits } from "../../src/config/index.ts";
import { ConfigError } from "../../src/core/errors.ts";

// A ConfigError whose message names `variable` (and so tells the user what to fix).
function namesVariable(variable: string) {
  return (err: unknown) =>
    err instanceof ConfigError && err.code === "CONFIG_INVALID" && err.message.includes(`${variable}: `);
}

describe("loadConfig", () => {
  it("given an empty environment, then the local defaults apply", () => {
    const c = loadConfig({});
    assert.equal(c.AGENTS_PORT, 8002);
    assert.equal(c.AGENTS_HOST, "127.0.0.1");
    assert.equal(c.NATS_URL, "nats://127.0.0.1:4222");
    assert.equal(c.AGENTS_LOCAL_MODE, true);
    assert.equal(c.AGENTS_EXECUTOR, undefined);
    assert.equal(c.ARANGO_URL, undefined);
    assert.equal(c.LOG_LEVEL, "info");
    assert.equal(c.AGENTS_WORKER_CONCURRENCY, 4);
    assert.equal(c.AGENTS_TASK_TIMEOUT_MS, 1_800_000);
    // A dead worker's task comes back within 10 s; heartbeats go out at a third of it.
    assert.equal(c.AGENTS_WORK_ACK_WAIT_MS, 8_000);
    assert.equal(c.AGENTS_RECONCILE_EVERY_MS, 15_000);
    assert.equal(c.AGENTS_RECONCILE_AFTER_MS, 60_000);
    assert.equal(c.AGENTS_MAX_ATTEMPTS, 3);
    assert.equal(c.AGENTS_MAX_PAYLOAD_BYTES, 1_000_000);
  });

  it("given empty strings, then they count as unset", () => {
    assert.equal(loadConfig({ AGENTS_PORT: "", AGENTS_EXECUTOR: "" }).AGENTS_PORT, 8002);
  });

  it("given numbers and booleans as text, then they are coerced", () => {
    const c = loadConfig({ AGENTS_PORT: "9000", AGENTS_LOCAL_MODE: "no", AGENTS_EXECUTOR: "echo" });
    assert.equal(c.AGENTS_PORT, 9000);
    assert.equal(c.AGENTS_LOCAL_MODE, false);
    assert.deepEqual(c.AGENTS_EXECUTOR, ["echo"]);
  });

  it("given AGENTS_PORT=abc, then a ConfigError names AGENTS_PORT, the allowed range and its value", () => {
    assert.throws(() => loadConfig({ AGENTS_PORT: "abc" }), namesVariable("AGENTS_PORT"));
    assert.throws(
      () => loadConfig({ AGENTS_PORT: "abc" }),
      /AGENTS_PORT: must be a port number from 0 to 65535 \(got "abc"\)/,
    );
    assert.throws(
      () => loadConfig({ AGENTS_PORT: "abc" }),
      (err: unknown) => !/NaN/.test(String(err)),
    );
  });

  it("given NATS_URL=garbage, then a ConfigError names NATS_URL and the form it must have", () => {
    assert.throws(
      () => loadConfig({ NATS_URL: "garbage" }),
      /NATS_URL: must be nats:\/\/HOST:PORT or tls:\/\/HOST:PORT, several separated by commas \(got "garbage"\)/,
    );
    assert.throws(
      () => loadConfig({ NATS_URL: "nats://127.0.0.1:4222,http://x" }),
      namesVariable("NATS_URL"),
    );
    assert.throws(() => loadConfig({ NATS_URL: "nats://127.0.0.1:99999" }), namesVariable("NATS_URL"));
    assert.equal(
      loadConfig({ NATS_URL: "nats://127.0.0.1:4222, tls://[::1]:4223" }).NATS_URL,
      "nats://127.0.0.1:4222, tls://[::1]:4223",
    );
  });

  it("given an unknown word where a list of words is allowed, then the error lists them", () => {
    assert.throws(
      () => loadConfig({ AGENTS_EXECUTOR: "gpt" }),
      /AGENTS_EXECUTOR: must be one of claude, openai, command, echo \(got "gpt"\)/,
    );
    assert.throws(
      () => loadConfig({ AGENTS_LOCAL_MODE: "maybe" }),
      /AGENTS_LOCAL_MODE: must be true or false/,
    );
    assert.throws(
      () => loadConfig({ AGENTS_MAX_ATTEMPTS: "0" }),
      /AGENTS_MAX_ATTEMPTS: must be an integer from 1 to 50 \(got "0"\)/,
    );
  });

  it("given a retention limit with snapshots off, then a ConfigError names AGENTS_SNAPSHOT_EVERY_EVENTS", () => {
    for (const limit of [{ AGENTS_EVENTS_MAX_AGE_DAYS: "30" }, { AGENTS_EVENTS_MAX_BYTES: "1000000000" }])
      assert.throws(
        () => loadConfig({ ...limit, AGENTS_SNAPSHOT_EVERY_EVENTS: "0" }),
        namesVariable("AGENTS_SNAPSHOT_EVERY_EVENTS"),
      );
    const c = loadConfig({ AGENTS_EVENTS_MAX_AGE_DAYS: "0.5", AGENTS_EVENTS_MAX_BYTES: "1000000000" });
    assert.equal(c.AGENTS_EVENTS_MAX_AGE_DAYS, 0.5);
    assert.equal(c.AGENTS_SNAPSHOT_EVERY_EVENTS, 100_000, "snapshots are on by default");
  });

  it("given AGENTS_MAX_PAYLOAD_BYTES above what NATS carries, then a ConfigError names it", () => {
    assert.throws(
      () => loadConfig({ AGENTS_MAX_PAYLOAD_BYTES: "5000000" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /AGENTS_MAX_PAYLOAD_BYTES: .*at most 1 MiB.*\(got "5000000"\)/.test(err.message),
    );
  });

  it("given AGENTS_PORT=70000, then a ConfigError names AGENTS_PORT", () => {
    assert.throws(() => loadConfig({ AGENTS_PORT: "70000" }), namesVariable("AGENTS_PORT"));
  });

  it("given an unknown AGENTS_EXECUTOR, then a ConfigError names AGENTS_EXECUTOR", () => {
    assert.throws(() => loadConfig({ AGENTS_EXECUTOR: "gpt" }), namesVariable("AGENTS_EXECUTOR"));
    assert.throws(() => loadConfig({ AGENTS_EXECUTOR: "claude,gpt" }), namesVariable("AGENTS_EXECUTOR"));
  });

  it("given AGENTS_EXECUTOR=claude, openai, then the worker hosts both executors", () => {
    assert.deepEqual(loadConfig({ AGENTS_EXECUTOR: "claude, openai" }).AGENTS_EXECUTOR, ["claude", "openai"]);
  });

  it("given echo beside another executor, then a ConfigError says echo stands alone", () => {
    assert.throws(() => loadConfig({ AGENTS_EXECUTOR: "echo,claude" }), /AGENTS_EXECUTOR.*echo stands in/);
  });

  it("given AGENTS_MODEL_ROUTES, then each entry routes its models; a bad entry is named", () => {
    assert.deepEqual(
      loadConfig({ AGENTS_MODEL_ROUTES: "gpt-4o=openai, llama*=command" }).AGENTS_MODEL_ROUTES,
      [
        { pattern: "gpt-4o", route: "openai" },
        { pattern: "llama*", route: "command" },
      ],
    );
    assert.throws(
      () => loadConfig({ AGENTS_MODEL_ROUTES: "llama=ollama" }),
      (err: unknown) => namesVariable("AGENTS_MODEL_ROUTES")(err) && /"llama=ollama"/.test(String(err)),
    );
  });

  it("given the Claude permission settings unset, then runs accept edits and allow no further tools", () => {
    const c = loadConfig({});
    assert.equal(c.AGENTS_CLAUDE_PERMISSION_MODE, "acceptEdits");
    assert.deepEqual(c.AGENTS_CLAUDE_ALLOWED_TOOLS, []);
    assert.equal(c.AGENTS_SUBMIT_PERMISSIONS, false);
  });

  it("given allowed tools and a mode, then they are parsed; a mode the CLI lacks is named", () => {
    const c = loadConfig({
      AGENTS_CLAUDE_ALLOWED_TOOLS: "Bash(npm test), WebFetch",
      AGENTS_CLAUDE_PERMISSION_MODE: "plan",
    });
    assert.deepEqual(c.AGENTS_CLAUDE_ALLOWED_TOOLS, ["Bash(npm test)", "WebFetch"]);
    assert.equal(c.AGENTS_CLAUDE_PERMISSION_MODE, "plan");
    assert.throws(
      () => loadConfig({ AGENTS_CLAUDE_PERMISSION_MODE: "yolo" }),
      namesVariable("AGENTS_CLAUDE_PERMISSION_MODE"),
    );
    assert.throws(
      () => loadConfig({ AGENTS_CLAUDE_ALLOWED_TOOLS: "--dangerously-skip-permissions" }),
      namesVariable("AGENTS_CLAUDE_ALLOWED_TOOLS"),
    );
  });

  it("given two bad variables, then the error names both", () => {
    assert.throws(
      () => loadConfig({ AGENTS_PORT: "abc", LOG_LEVEL: "loud" }),
      (err: unknown) => namesVariable("AGENTS_PORT")(err) && namesVariable("LOG_LEVEL")(err),
    );
  });

  it("given the gateway timeouts unset, then requests have 30 s and idle connections 60 s", () => {
    const c = loadConfig({});
    assert.equal(c.AGENTS_REQUEST_TIMEOUT_MS, 30_000);
    assert.equal(c.AGENTS_IDLE_TIMEOUT_MS, 60_000);
  });

  it("given an idle timeout shorter than two SSE heartbeats, then a ConfigError names AGENTS_IDLE_TIMEOUT_MS", () => {
    assert.throws(
      () => loadConfig({ AGENTS_IDLE_TIMEOUT_MS: "20000", AGENTS_SSE_HEARTBEAT_MS: "15000" }),
      (err: unknown) =>
        namesVariable("AGENTS_IDLE_TIMEOUT_MS")(err) && /twice AGENTS_SSE_HEARTBEAT_MS/.test(String(err)),
    );
    assert.equal(
      loadConfig({ AGENTS_IDLE_TIMEOUT_MS: "20000", AGENTS_SSE_HEARTBEAT_MS: "10000" })
        .AGENTS_IDLE_TIMEOUT_MS,
      20_000,
    );
  });

  it("given a short AGENTS_API_KEY, then the error names it and the rule but never shows the key", () => {
    assert.throws(
      () => loadConfig({ AGENTS_API_KEY: "tooShortSecret" }),
      (err: unknown) =>
        namesVariable("AGENTS_API_KEY")(err) &&
        /AGENTS_API_KEY: must be at least 16 characters \(got a hidden value of 14 characters\)/.test(
          String(err),
        ) &&
        !String(err).includes("tooShortSecret"),
    );
  });

  it("given an ARANGO_URL with a password, then the error says where credentials go and hides the password", () => {
    assert.throws(
      () => loadConfig({ ARANGO_URL: "http://root:Pa55w0rd-xyz@arango:8529" }),
      (err: unknown) =>
        namesVariable("ARANGO_URL")(err) &&
        String(err).includes("http://root:[redacted]@arango:8529") &&
        /ARANGO_PASSWORD/.test(String(err)) &&
        !String(err).includes("Pa55w0rd-xyz"),
    );
  });

  it("given a bad variable next to secrets, then neither a secret nor a URL credential is printed", () => {
    const secret = "sk-proj-0123456789abcdef";
    assert.throws(
      () =>
        loadConfig({
          OPENAI_API_KEY: secret,
          NATS_URL: `nats://svc:${secret}@nats:4222`,
          AGENTS_PORT: "not-a-port",
          OPENAI_BASE_URL: "https://u:pw-in-base@llm/v1",
        }),
      (err: unknown) =>
        namesVariable("AGENTS_PORT")(err) &&
        namesVariable("OPENAI_BASE_URL")(err) &&
        !String(err).includes(secret) &&
        !String(err).includes("pw-in-base"),
    );
  });

  it("given an AGENTS_DEFAULT_MODEL that could be read as a flag, then a ConfigError names it", () => {
    assert.throws(
      () => loadConfig({ AGENTS_DEFAULT_MODEL: "--dangerously-skip-permissions" }),
      namesVariable("AGENTS_DEFAULT_MODEL"),
    );
    assert.equal(
      loadConfig({ AGENTS_DEFAULT_MODEL: "ollama/qwen2.5:7b" }).AGENTS_DEFAULT_MODEL,
      "ollama/qwen2.5:7b",
    );
  });

  it("given AGENTS_AGENT_ENV that is not a list of variable names, then a ConfigError names it", () => {
    assert.throws(
      () => loadConfig({ AGENTS_AGENT_ENV: "HTTPS_PROXY,$(id)" }),
      namesVariable("AGENTS_AGENT_ENV"),
    );
    assert.equal(
      loadConfig({ AGENTS_AGENT_ENV: "HTTPS_PROXY, NO_PROXY" }).AGENTS_AGENT_ENV,
      "HTTPS_PROXY, NO_PROXY",
    );
  });

  it("given NATS_URL with credentials, then it is accepted (NATS takes user:password@ and token@)", () => {
    assert.equal(loadConfig({ NATS_URL: "nats://a:b@127.0.0.1:4222" }).NATS_URL, "nats://a:b@127.0.0.1:4222");
  });
});

describe("parseModelLimits", () => {
  it("given an empty spec, then there are no limits", () => {
    assert.equal(parseModelLimits("").size, 0);
  });

  it("given model=limit pairs with spaces, then each model gets its limit", () => {
    assert.deepEqual(
      parseModelLimits(" sonnet=4, gpt-4o=8 ,"),
      new Map([
        ["sonnet", 4],
        ["gpt-4o", 8],
      ]),
    );
  });

  for (const bad of ["sonnet", "sonnet=0", "sonnet=1.5", "sonnet=x", "=3"]) {
    it(`given "${bad}", then a ConfigError names AGENTS_MODEL_CONCURRENCY and the entry`, () => {
      assert.throws(
        () => parseModelLimits(bad),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith("AGENTS_MODEL_CONCURRENCY") &&
          err.message.includes(`"${bad}"`),
      );
    });
  }

  it("given AGENTS_MODEL_LIMITS with a bad part, then loading names the variable and the entry", () => {
    assert.throws(
      () => loadConfig({ AGENTS_MODEL_LIMITS: "gpt-4o=500rps/8" }),
      (err: unknown) =>
        namesVariable("AGENTS_MODEL_LIMITS")(err) && err instanceof Error && err.message.includes('"500rps"'),
    );
  });

  it("given AGENTS_MODEL_LIMITS and AGENTS_MODEL_CONCURRENCY, then one set of limits holds both", () => {
    const c = loadConfig({
      AGENTS_MODEL_LIMITS: "gpt-4o=500rpm/30000tpm",
      AGENTS_MODEL_CONCURRENCY: "gpt-4o=8,sonnet=2",
    });
    assert.deepEqual(Object.fromEntries(modelLimitsOf(c)), {
      "gpt-4o": { rpm: 500, tpm: 30000, concurrency: 8 },
      sonnet: { concurrency: 2 },
    });
  });

  it("given AGENTS_MODEL_DAY_BUDGETS with a bad part, then loading names the variable and the entry", () => {
    assert.throws(
      () => loadConfig({ AGENTS_MODEL_DAY_BUDGETS: "gpt-4o=5eur" }),
      (err: unknown) =>
        namesVariable("AGENTS_MODEL_DAY_BUDGETS")(err) &&
        err instanceof Error &&
        err.message.includes('"5eur"'),
    );
  });

  it("given AGENTS_MODEL_DAY_BUDGETS beside AGENTS_MODEL_LIMITS, then each model's day budget joins its limits", () => {
    const c = loadConfig({
      AGENTS_MODEL_LIMITS: "gpt-4o=500rpm",
      AGENTS_MODEL_DAY_BUDGETS: "gpt-4o=2.5usd/100000tokens,sonnet=1000tokens",
    });
    assert.deepEqual(Object.fromEntries(modelLimitsOf(c)), {
      "gpt-4o": { rpm: 500, day: { usd: 2.5, tokens: 100000 } },
      sonnet: { day: { tokens: 1000 } },
    });
  });

  it("given calls at once for one model in both variables, then a ConfigError says to set it once", () => {
    const c = loadConfig({ AGENTS_MODEL_LIMITS: "gpt-4o=8", AGENTS_MODEL_CONCURRENCY: "gpt-4o=4" });
    assert.throws(() => modelLimitsOf(c), /AGENTS_MODEL_CONCURRENCY: gpt-4o also has calls at once/);
  });
});
