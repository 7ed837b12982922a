// Provisioning an existing topology: a stream of an earlier version gets the subjects this version
// adds, and an up-to-date one is left alone (nothing is sent that needs more than read access).
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { eventsStreamConfig, provisionTopology } from "../../src/nats/index.ts";
import { isPermissionDenied } from "../../src/nats/topology-access.ts";
import { startNatsServer } from "../support/index.ts";

describe("provisioning a topology that exists", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-topology-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("given an events stream made by an earlier version, when provisioned, then the new subjects are added and its messages kept", async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const old = eventsStreamConfig();
      await jsm.streams.add({
        ...old,
        subjects: [Subjects.submit, Subjects.jobs, Subjects.tasks, Subjects.system, Subjects.control],
      });
      await nc.request(Subjects.submit, '{"spec":"x","count":1}');
      await provisionTopology(nc);
      const info = await jsm.streams.info(STREAM_EVENTS);
      assert.ok(info.config.subjects.includes(Subjects.critiques));
      assert.ok(info.config.subjects.includes(Subjects.rejected));
      assert.equal(info.state.messages, 1);
    } finally {
      await nc.close();
      await nats.stop();
    }
  });

  it("given an up-to-date topology, when a user that may only read provisions it, then nothing is refused", async () => {
    const conf = join(dir, "reader.conf");
    await writeFile(
      conf,
      `authorization { users = [
        { user: "admin", password: "padmin" }
        { user: "reader", password: "preader", permissions: {
          publish: { allow: ["$JS.API.INFO", "$JS.API.STREAM.INFO.>", "$JS.API.CONSUMER.INFO.>"] }
          subscribe: { allow: ["_INBOX.>"] } } }
      ] }\n`,
    );
    const nats = await startNatsServer({ args: ["-c", conf] });
    const admin = await connect({ servers: nats.url, user: "admin", pass: "padmin" });
    const reader = await connect({ servers: nats.url, user: "reader", pass: "preader" });
    try {
      await provisionTopology(admin);
      await provisionTopology(reader);
      assert.doesNotMatch(nats.logs(), /Violation/, "no create or update was sent");
      await jetstreamManager(admin).then((jsm) => jsm.streams.update(STREAM_EVENTS, { max_msg_size: 2048 }));
      await assert.rejects(provisionTopology(reader), isPermissionDenied, "a difference is an update");
    } finally {
      await admin.close();
      await reader.close();
      await nats.stop();
    }
  });

  it("given retention limits, when provisioned, then the event stream gets them (ns and bytes) and drops its oldest messages past the size", async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    try {
      await provisionTopology(nc);
      const jsm = await jetstreamManager(nc);
      const open = (await jsm.streams.info(STREAM_EVENTS)).config;
      assert.deepEqual([open.max_age, open.max_bytes], [0, -1], "no limits by default");
      const day = 86_400_000;
      await provisionTopology(nc, { eventsMaxAgeMs: 30 * day, eventsMaxBytes: 64 * 1024 });
      const limited = (await jsm.streams.info(STREAM_EVENTS)).config;
      assert.equal(limited.max_age, 30 * day * 1_000_000);
      assert.equal(limited.max_bytes, 64 * 1024);
      const body = "x".repeat(1000);
      for (let i = 0; i < 200; i++) await nc.request(Subjects.rejected, body).catch(() => undefined);
      const { state } = await jsm.streams.info(STREAM_EVENTS);
      assert.ok(
        state.first_seq > 1 && state.bytes <= 64 * 1024,
        `first ${state.first_seq}, ${state.bytes} bytes`,
      );
    } finally {
      await nc.close();
      await nats.stop();
    }
  });
});
