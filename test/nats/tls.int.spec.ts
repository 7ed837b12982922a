// TLS on every connection: a server with a certificate this test makes (openssl), requiring
// client certificates too; clients and an actor process connect with NATS_TLS_* settings.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { STREAM_EVENTS } from "../../src/core/events/index.ts";
import { natsConnectOptions } from "../../src/nats/connect-options.ts";
import { tlsConfig } from "../../src/nats/server-config.ts";
import { makeCertificates } from "../support/certs.ts";
import { type ActorProcess, FAKE_CLAUDE, retryUntil, spawnActor } from "../support/index.ts";
import { type SecuredNats, SHIPPED_AUTH_CONF, startSecuredNats } from "../support/secured-nats.ts";

describe("TLS to NATS with a certificate the test makes", () => {
  let dir: string;
  let s: SecuredNats;
  let tls: { NATS_TLS_CA_FILE: string; NATS_TLS_CERT_FILE: string; NATS_TLS_KEY_FILE: string };
  let actor: ActorProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-tls-"));
    await makeCertificates(dir);
    tls = {
      NATS_TLS_CA_FILE: join(dir, "ca.crt"),
      NATS_TLS_CERT_FILE: join(dir, "client.crt"),
      NATS_TLS_KEY_FILE: join(dir, "client.key"),
    };
    // The shipped users and permissions, with TLS that also verifies client certificates.
    await copyFile(SHIPPED_AUTH_CONF, join(dir, "auth.conf"));
    const conf = join(dir, "nats-tls.conf");
    const block = tlsConfig({
      certFile: join(dir, "server.crt"),
      keyFile: join(dir, "server.key"),
      caFile: join(dir, "ca.crt"),
      verify: true,
    });
    await writeFile(conf, `include "auth.conf"\n${block}`);
    s = await startSecuredNats({ config: conf });
  });
  after(async () => {
    await actor?.kill("SIGTERM");
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("given the CA and a client certificate, when a user connects, then it talks JetStream over TLS", async () => {
    const nc = await s.connectAs("operator", tls);
    try {
      const jsm = await jetstreamManager(nc);
      assert.ok((await jsm.getAccountInfo()).limits);
    } finally {
      await nc.close();
    }
  });

  it("given no client certificate, or no CA that trusts the server, then the connection fails", async () => {
    // The server drops a client without a certificate after the handshake; the client then waits
    // out its connect timeout (5 s here, so the test does not sit out the default 20 s).
    const noClientCert = connect({
      servers: s.nats.url,
      timeout: 5000,
      ...natsConnectOptions({ ...s.access("operator"), NATS_TLS_CA_FILE: tls.NATS_TLS_CA_FILE }),
    });
    await assert.rejects(noClientCert);
    const noCa = { NATS_TLS_CERT_FILE: tls.NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE: tls.NATS_TLS_KEY_FILE };
    await assert.rejects(s.connectAs("operator", noCa), /unable to verify the first certificate/);
    // Without any TLS setting the client still follows the server into TLS, and cannot trust it.
    await assert.rejects(s.connectAs("operator"), /unable to verify the first certificate/);
  });

  it("given NATS_TLS_* in its environment, when the orchestrator process starts, then it provisions the topology over TLS", async () => {
    actor = spawnActor("orchestrator", {
      ...s.envFor("orchestrator"),
      ...tls,
      AGENTS_DATA_DIR: join(dir, "data"),
      AGENTS_EXECUTOR: "claude",
      CLAUDE_COMMAND: FAKE_CLAUDE,
      LOG_LEVEL: "info",
    });
    const nc = await s.connectAs("operator", tls);
    try {
      const jsm = await jetstreamManager(nc);
      const info = await retryUntil(() => jsm.streams.info(STREAM_EVENTS), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      assert.equal(info.config.name, STREAM_EVENTS);
      await retryUntil(
        async () => {
          if (!actor?.logs().includes("orchestrator running"))
            throw new Error(`not leading yet:\n${actor?.logs()}`);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      await nc.close();
    }
  });
});
