import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentEnvironment, CLAUDE_AGENT_ENV, parseAgentEnvNames } from "../../src/executors/agent-env.ts";

const worker = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/agents",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TZ: "UTC",
  AGENTS_API_KEY: "gateway-key",
  OPENAI_API_KEY: "openai-key",
  ARANGO_PASSWORD: "arango",
  CLAUDE_CODE_OAUTH_TOKEN: "claude-token",
  NATS_URL: "nats://127.0.0.1:4222",
  HTTPS_PROXY: "http://proxy:3128",
};

describe("agentEnvironment", () => {
  it("given nothing to pass, then only the base variables and locale", () => {
    assert.deepEqual(agentEnvironment({ source: worker }), {
      PATH: "/usr/bin:/bin",
      HOME: "/home/agents",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TZ: "UTC",
    });
  });

  it("given Claude's names and an operator's extra, then those too and nothing else", () => {
    const env = agentEnvironment({ source: worker, pass: [...CLAUDE_AGENT_ENV, "HTTPS_PROXY"] });
    assert.equal(env.CLAUDE_CODE_OAUTH_TOKEN, "claude-token");
    assert.equal(env.HTTPS_PROXY, "http://proxy:3128");
    for (const name of ["AGENTS_API_KEY", "OPENAI_API_KEY", "ARANGO_PASSWORD", "NATS_URL"])
      assert.equal(name in env, false, name);
  });

  it("given values to set, then they win over copied ones", () => {
    assert.equal(agentEnvironment({ source: worker, set: { HOME: "/tmp/x" } }).HOME, "/tmp/x");
  });
});

describe("parseAgentEnvNames", () => {
  it("given names with spaces and empty entries, then the names", () => {
    assert.deepEqual(parseAgentEnvNames(" HTTPS_PROXY, NO_PROXY ,"), ["HTTPS_PROXY", "NO_PROXY"]);
    assert.deepEqual(parseAgentEnvNames(""), []);
  });
});
