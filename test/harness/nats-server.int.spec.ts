import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

// True while a process with this pid exists (signal 0 only checks).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startNatsServer", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection | undefined;

  before(async () => {
    server = await startNatsServer();
  });

  after(async () => {
    await nc?.close();
    await server.stop();
  });

  it("given a started server, a client connects and JetStream answers account info", async () => {
    assert.match(server.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(server.storeDir));
    nc = await connect({ servers: server.url });
    const info = await (await jetstreamManager(nc)).getAccountInfo();
    assert.equal(info.streams, 0);
  });

  it("when killed and restarted, it serves again on the same port with the same store", async () => {
    const before = server.pid;
    await server.kill();
    assert.equal(isAlive(before), false);
    assert.ok(existsSync(server.storeDir));
    await server.restart();
    assert.notEqual(server.pid, before);
    const client = await connect({ servers: server.url });
    try {
      await (await jetstreamManager(client)).getAccountInfo();
    } finally {
      await client.close();
    }
  });

  it("when stopped, the process is gone and its folder is removed", async () => {
    const other = await startNatsServer({ jetstream: false });
    const { pid, storeDir } = other;
    assert.ok(isAlive(pid));
    await other.stop();
    assert.throws(() => process.kill(pid, 0));
    assert.equal(existsSync(storeDir), false);
  });
});
