import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nkeys } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { natsConnectOptions } from "../../src/nats/connect-options.ts";

describe("NATS credentials, TLS and inbox prefix from the configuration", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-nats-opts-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("given nothing, then no options: an open local server", () => {
    assert.deepEqual(natsConnectOptions(loadConfig({})), {});
  });

  it("given a user and password, then they are used and replies come to the user's own inbox prefix", () => {
    const o = natsConnectOptions(loadConfig({ NATS_USER: "worker", NATS_PASSWORD: "pw" }));
    assert.deepEqual(o, { user: "worker", pass: "pw", inboxPrefix: "_INBOX.worker" });
    const custom = natsConnectOptions(
      loadConfig({ NATS_USER: "worker", NATS_PASSWORD: "pw", NATS_INBOX_PREFIX: "_INBOX.w2" }),
    );
    assert.equal(custom.inboxPrefix, "_INBOX.w2");
  });

  it("given a token, then it is used", () => {
    assert.deepEqual(natsConnectOptions(loadConfig({ NATS_TOKEN: "t0ken" })), { token: "t0ken" });
  });

  it("given an nkey seed file, then an authenticator signs with it; a missing file names the variable", async () => {
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    const file = join(dir, "user.nk");
    await writeFile(file, `${seed}\n`);
    const o = natsConnectOptions(loadConfig({ NATS_NKEY_SEED_FILE: file, NATS_INBOX_PREFIX: "_INBOX.k" }));
    assert.equal(typeof o.authenticator, "function");
    assert.equal(o.inboxPrefix, "_INBOX.k");
    assert.throws(
      () => natsConnectOptions(loadConfig({ NATS_NKEY_SEED_FILE: join(dir, "none.nk") })),
      (err: unknown) =>
        err instanceof ConfigError &&
        /NATS_NKEY_SEED_FILE=".*none\.nk": cannot read the file \(ENOENT\)/.test(err.message),
    );
  });

  it("given TLS files, then TLS is required with them; a missing one names its variable", async () => {
    const ca = join(dir, "ca.crt");
    await writeFile(ca, "not read by this test beyond existing");
    assert.deepEqual(natsConnectOptions(loadConfig({ NATS_TLS_CA_FILE: ca })).tls, { caFile: ca });
    assert.throws(
      () =>
        natsConnectOptions(
          loadConfig({ NATS_TLS_CA_FILE: ca, NATS_TLS_CERT_FILE: join(dir, "c.crt"), NATS_TLS_KEY_FILE: ca }),
        ),
      /NATS_TLS_CERT_FILE/,
    );
  });

  it("given two kinds of credentials, or a user without a password, then a ConfigError names the variable and never a secret", () => {
    assert.throws(
      () => loadConfig({ NATS_USER: "u", NATS_PASSWORD: "hunter2-secret", NATS_TOKEN: "tok-secret" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /NATS_TOKEN: set one kind of NATS credentials, .*\(got a hidden value of 10 characters\)/.test(
          err.message,
        ) &&
        !err.message.includes("secret"),
    );
    assert.throws(
      () => loadConfig({ NATS_USER: "u" }),
      /NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together \(got ""\)/,
    );
    assert.throws(() => loadConfig({ NATS_TLS_KEY_FILE: "k" }), /NATS_TLS_CERT_FILE/);
    assert.throws(
      () => loadConfig({ NATS_INBOX_PREFIX: "_INBOX.>" }),
      /NATS_INBOX_PREFIX: .*\(got "_INBOX\.>"\)/,
    );
  });

  it("given a bad secret variable, then its value is hidden in the error", () => {
    assert.throws(
      () => loadConfig({ AGENTS_API_KEY: "short-key-xyz" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(
          "AGENTS_API_KEY: must be at least 16 characters (got a hidden value of 13 characters)",
        ) &&
        !err.message.includes("short-key-xyz"),
    );
  });
});
