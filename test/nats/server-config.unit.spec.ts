import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { newPassword, usersFromOptions } from "../../src/cli/commands/nats-config.ts";
import { Subjects } from "../../src/core/events/index.ts";
import { DEFAULT_USERS, permissionsFor, Role } from "../../src/nats/permissions.ts";
import { authorizationConfig, defaultAuthUsers, passwordVariable } from "../../src/nats/server-config.ts";
import { SHIPPED_AUTH_CONF } from "../support/secured-nats.ts";

const publishes = (user: string) => {
  const spec = DEFAULT_USERS.find((u) => u.user === user);
  if (!spec) throw new Error(user);
  return permissionsFor(spec, `_INBOX.${user}`).publish.allow;
};

describe("the generated nats-server users and permissions", () => {
  it("given the generator, then deploy/nats/auth.conf is its output (regenerate with `agents nats-config --out deploy/nats/auth.conf`)", async () => {
    assert.equal(await readFile(SHIPPED_AUTH_CONF, "utf8"), authorizationConfig(defaultAuthUsers()));
  });

  it("given the roles, then only the orchestrator writes job, system and work subjects, and only critics write critiques", () => {
    for (const u of DEFAULT_USERS) {
      const pub = publishes(u.user);
      const owner = u.role === Role.orchestrator;
      assert.equal(pub.includes(Subjects.jobs), owner, `${u.user}: agents.job.*`);
      assert.equal(pub.includes(Subjects.system), owner, `${u.user}: agents.system`);
      assert.equal(pub.includes(Subjects.workAll), owner, `${u.user}: agents.work.>`);
      assert.equal(pub.includes(Subjects.critiques), u.user === "critic", `${u.user}: critiques`);
      assert.ok(!pub.includes(">") && !pub.includes("agents.>"), `${u.user} has no catch-all`);
    }
  });

  it("given a worker for some queues, then it may take only those queues' work", () => {
    const pub = publishes("worker").join("\n");
    assert.match(pub, /MSG\.NEXT\.AGENTS_WORK\.work-standard-high/);
    assert.match(pub, /MSG\.NEXT\.AGENTS_WORK\.work-heavy-low/);
    assert.doesNotMatch(pub, /work-critic/);
    assert.doesNotMatch(publishes("gateway").join("\n"), /AGENTS_WORK\.work-|\$JS\.ACK\.AGENTS_WORK/);
  });

  it("given --worker and --nkey options, then those users replace the default workers", () => {
    const key = `U${"A".repeat(55)}`;
    const users = usersFromOptions(["gpu=heavy", "cheap=standard,critic"], [`gpu=${key}`]);
    assert.deepEqual(
      users.filter((u) => u.role === Role.worker).map((u) => [u.user, u.queues]),
      [
        ["gpu", ["heavy"]],
        ["cheap", ["standard", "critic"]],
      ],
    );
    const text = authorizationConfig(users);
    assert.match(text, new RegExp(`nkey: "${key}"`));
    assert.match(text, /password: \$NATS_CHEAP_PASSWORD/);
    assert.throws(() => usersFromOptions(["gpu=gpu"], []), /queues standard, heavy, critic/);
    assert.throws(() => usersFromOptions([], ["nobody=x"]), /PUBLIC_KEY/);
  });

  it("given a bad or repeated user name, then the generator refuses it", () => {
    const base = { role: Role.projector, credential: { kind: "password", password: "x" } } as const;
    assert.throws(() => authorizationConfig([{ ...base, user: "a.b" }]), /subject token/);
    assert.throws(
      () =>
        authorizationConfig([
          { ...base, user: "a" },
          { ...base, user: "a" },
        ]),
      /twice/,
    );
  });

  it("given generated passwords, then each starts with a letter (the server parses environment values as config values)", () => {
    for (let i = 0; i < 20; i++) assert.match(newPassword(), /^[a-z][0-9a-f]{48}$/);
    assert.equal(passwordVariable("critic-2"), "NATS_CRITIC_2_PASSWORD");
  });
});
