import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NotFoundError } from "../../src/core/errors.ts";
import { OUTPUTS_BUCKET } from "../../src/core/events/index.ts";
import { Artifacts } from "../../src/nats/artifacts.ts";
import { provisionTopology } from "../../src/nats/index.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

const STREAM = `OBJ_${OUTPUTS_BUCKET}`;

describe("artifacts in the object store", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let artifacts: Artifacts;

  before(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await provisionTopology(nc);
    jsm = await jetstreamManager(nc);
    artifacts = await Artifacts.open(nc);
  });
  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  const consumers = async () => (await jsm.consumers.list(STREAM).next()).length;

  it("given a small text, then it reads back exactly, without creating a consumer", async () => {
    const text = "déjà vu ✓\nline two";
    assert.equal(await artifacts.putText("outputs/t1/1", text), Buffer.byteLength(text));
    assert.equal(await artifacts.getText("outputs/t1/1"), text);
    assert.equal(await consumers(), 0, "a one-chunk read is a direct get");
  });

  it("given a text of several chunks, then it reads back exactly", async () => {
    const text = "0123456789abcdef".repeat(20_000); // 320,000 bytes: three 128 KiB chunks
    await artifacts.putText("outputs/t2/1", text);
    assert.equal(await artifacts.getText("outputs/t2/1"), text);
  });

  it("given an empty text, then it reads back empty", async () => {
    await artifacts.putText("outputs/t3/1", "");
    assert.equal(await artifacts.getText("outputs/t3/1"), "");
  });

  it("given a key written twice, then the second text is read", async () => {
    await artifacts.putText("outputs/t4/1", "first");
    await artifacts.putText("outputs/t4/1", "second");
    assert.equal(await artifacts.getText("outputs/t4/1"), "second");
  });

  it("given a missing key, then findText is undefined and getText throws NotFoundError", async () => {
    assert.equal(await artifacts.findText("outputs/none/1"), undefined);
    await assert.rejects(artifacts.getText("outputs/none/1"), NotFoundError);
  });

  it("given a chunk altered on the stream, then the read fails naming the corrupt artifact", async () => {
    await artifacts.putText("outputs/t5/1", "the real answer");
    const info = await (await new Objm(nc).open(OUTPUTS_BUCKET)).info("outputs/t5/1");
    assert.ok(info);
    await jetstream(nc).publish(`$O.${OUTPUTS_BUCKET}.C.${info.nuid}`, "a forged answer");
    await assert.rejects(artifacts.getText("outputs/t5/1"), /artifact outputs\/t5\/1 is corrupt/);
  });
});
