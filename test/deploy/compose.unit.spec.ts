// deploy/docker-compose.yml as data (no container engine runs here): every service has a health
// check and resource limits, nothing is published without authentication, and every actor uses its
// own NATS user from the generated auth.conf.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DEFAULT_USERS, Role } from "../../src/nats/permissions.ts";
import { passwordVariable } from "../../src/nats/server-config.ts";

const COMPOSE = fileURLToPath(new URL("../../deploy/docker-compose.yml", import.meta.url));

type Service = {
  command?: string[];
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
};

async function services(): Promise<Record<string, Service>> {
  const doc = parse(await readFile(COMPOSE, "utf8"), { merge: true }) as {
    services: Record<string, Service>;
  };
  return doc.services;
}

/** A variable compose refuses to start without (`${NAME:?…}`). */
const required = (value: string | undefined, name: string) =>
  new RegExp(`^\\$\\{${name}:\\?`).test(value ?? "");

describe("deploy/docker-compose.yml", () => {
  it("given the file, then it parses and every service has a health check and resource limits", async () => {
    const all = await services();
    assert.ok(Object.keys(all).length >= 8);
    for (const [name, s] of Object.entries(all)) {
      assert.ok((s.healthcheck?.test ?? []).length > 1, `${name} has a health check`);
      assert.ok(s.deploy?.resources?.limits?.cpus, `${name} has a CPU limit`);
      assert.ok(s.deploy?.resources?.limits?.memory, `${name} has a memory limit`);
    }
  });

  it("given the published ports, then only the gateway (API key) and Grafana (password) are published", async () => {
    const all = await services();
    const published = Object.entries(all)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([name]) => name)
      .sort();
    assert.deepEqual(
      published,
      ["gateway", "grafana"],
      "NATS, its monitoring, ArangoDB and Prometheus stay inside",
    );
    const gw = all.gateway?.environment ?? {};
    assert.ok(required(gw.AGENTS_API_KEY, "AGENTS_API_KEY"), "the gateway needs its key");
    assert.equal(gw.AGENTS_LOCAL_MODE, "false");
    const grafana = all.grafana?.environment ?? {};
    assert.ok(required(grafana.GF_SECURITY_ADMIN_PASSWORD, "GRAFANA_PASSWORD"), "no default admin password");
    assert.equal(grafana.GF_AUTH_ANONYMOUS_ENABLED, "false");
    assert.ok(required(all.arangodb?.environment?.ARANGO_ROOT_PASSWORD, "ARANGO_PASSWORD"));
  });

  it("given the NATS service, then it runs the shipped permissions config and needs every user's password", async () => {
    const nats = (await services()).nats;
    // A compose variable (default nats-server.conf; nats-server-tls.conf for TLS), not a JS template.
    assert.deepEqual(nats?.command, ["-c", `/etc/nats/$\{NATS_CONFIG:-nats-server.conf}`]);
    for (const u of DEFAULT_USERS) {
      const v = passwordVariable(u.user);
      assert.ok(required(nats?.environment?.[v], v), `${v} is required`);
    }
  });

  it("given the actors, then each connects as its own user with that user's password, and workers serve their user's queues", async () => {
    const all = await services();
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(all)) {
      const cmd = s.command?.[0];
      if (cmd !== "orchestrator" && cmd !== "worker" && cmd !== "gateway") continue;
      const env = s.environment ?? {};
      const user = DEFAULT_USERS.find((u) => u.user === env.NATS_USER);
      assert.ok(user, `${name}: NATS_USER=${env.NATS_USER} is a user of auth.conf`);
      assert.ok(required(env.NATS_PASSWORD, passwordVariable(user.user)), `${name}: its own password`);
      const role = cmd === "worker" ? Role.worker : cmd;
      assert.equal(user.role, role, `${name} runs as a ${role}`);
      if (cmd === "worker") assert.deepEqual(env.AGENTS_QUEUES?.split(","), user.queues, `${name}: queues`);
      seen.set(user.user, name);
    }
    assert.deepEqual([...seen.keys()].sort(), ["critic", "gateway", "orchestrator", "worker"]);
  });

  it("given the Claude credentials volume, then every worker mounts it read-only and exactly one service (claude-auth) writes it", async () => {
    const all = await services();
    const mounts = Object.entries(all).flatMap(([name, s]) =>
      (s.volumes ?? []).filter((v) => v.startsWith("claude-auth:")).map((v) => ({ name, v })),
    );
    const writers = mounts.filter((m) => !m.v.endsWith(":ro")).map((m) => m.name);
    assert.deepEqual(writers, ["claude-auth"], "one writer");
    assert.deepEqual(all["claude-auth"]?.command?.slice(0, 2), ["auth", "status"]);
    const workers = Object.entries(all).filter(([, s]) => s.command?.[0] === "worker");
    assert.ok(workers.length >= 2);
    for (const [name, s] of workers) {
      assert.ok((s.volumes ?? []).includes("claude-auth:/claude-auth:ro"), `${name} reads it read-only`);
      assert.equal(s.environment?.AGENTS_CLAUDE_AUTH_DIR, "/claude-auth", `${name} is told where it is`);
    }
  });
});
