import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { bucketKeys } from "../../src/nats/kv-keys.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

/** Generous: a listing is one request; only one that never answers is a failure. */
const HUNG_AFTER_MS = 10_000;
const LISTINGS = 300;

describe("listing a KV bucket's keys", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;

  before(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  after(async () => {
    await nc.close();
    await server.stop();
  });

  it("given entries overwritten and expiring all the time (as workers' statuses are), when listed many times, then every listing answers", async () => {
    // Reproduced with kv.keys() on this server: 6 of 213 listings in 20 s never ended (its ordered
    // consumer waits for a count the server gave before entries expired). Each listing here is one
    // stream-info request.
    const kv = await new Kvm(nc).create("churn", { history: 1, ttl: 1_500 });
    let writing = true;
    const writers = Array.from({ length: 6 }, async (_, i) => {
      while (writing) {
        await kv.put(`k${i}`, "x".repeat(200));
        await sleep(50 + i * 300);
      }
    });
    let hung = 0;
    const seen = new Set<string>();
    try {
      for (let n = 0; n < LISTINGS && hung === 0; n++) {
        let timer: NodeJS.Timeout | undefined;
        const r = await Promise.race([
          bucketKeys(nc, "churn"),
          new Promise<"hung">((res) => {
            timer = setTimeout(() => res("hung"), HUNG_AFTER_MS);
          }),
        ]);
        clearTimeout(timer);
        if (r === "hung") hung++;
        else for (const k of r) seen.add(k);
        await sleep(10);
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    assert.equal(hung, 0);
    assert.ok(seen.has("k0"), `the keys listed: ${[...seen].join(", ")}`);
  });

  it("given puts and a delete, when listed, then it names each key once, sorted, the deleted one included (its marker is an entry)", async () => {
    const kv = await new Kvm(nc).create("plain", { history: 1 });
    await kv.put("b", "1");
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.put("c", "1");
    await kv.delete("c");
    assert.deepEqual(await bucketKeys(nc, "plain"), ["a", "b", "c"]);
    assert.deepEqual(await bucketKeys(nc, "empty-one").catch((e: Error) => e.message), "stream not found");
  });
});
