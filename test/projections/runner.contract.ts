// The runner half of the contract: a real nats-server, the workload published with JetStreamEventStore,
// and a store that must end up the same whether built live, by replay, after a crash, or twice.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { NotReadyError } from "../../src/core/errors.ts";
import { Subjects } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { StreamReader } from "../../src/nats/stream-reader.ts";
import { applicableAfter } from "../../src/projections/decode.ts";
import {
  ProjectionRunner,
  type ProjectionStore,
  planBatch,
  type ReplayProgress,
} from "../../src/projections/index.ts";
import { crashingStore, quietLog as log, publishWorkload, type Stream, startStream } from "./support.ts";
import { workload } from "./workload.ts";

type Fresh = () => Promise<ProjectionStore>;

/** Register the runner tests for stores made by `fresh` (inside the caller's describe). */
export function runnerContract(fresh: Fresh, opts: { skip?: string }): void {
  let stream: Stream;
  let last = 0;
  const runner = (store: ProjectionStore, batchSize = 100) =>
    new ProjectionRunner({ nc: stream.nc, store, log, batchSize, retryDelayMs: 20 });
  const reference = async () => {
    const store = await fresh();
    await runner(store, 250).catchUp();
    return store;
  };

  before(async () => {
    if (opts.skip) return;
    stream = await startStream();
    last = await publishWorkload(stream.nc, workload());
  });
  after(async () => {
    if (opts.skip) return;
    await stream.stop();
  });

  it(
    "given a runner following the stream, when events arrive, then a replay from sequence 1 equals the live store",
    opts,
    async () => {
      const live = await fresh();
      const follower = runner(live, 64);
      await follower.start();
      await publishWorkload(stream.nc, workload({ prefix: "v", seed: 7, jobs: 3 }));
      // A command as the very last message: the checkpoint passes commands too.
      last = (await new JetStreamEventStore(stream.nc).appendJson(Subjects.controlResume, {}, "v-resume"))
        .seq;
      await follower.waitFor(last, 30_000);
      await follower.stop();
      assert.equal(await live.checkpoint(), last);
      const rebuilt = await fresh();
      const seen: ReplayProgress[] = [];
      const done = await runner(rebuilt).replay({ onProgress: (p) => seen.push(p), progressEvery: 1000 });
      assert.deepEqual([done.applied, done.total, done.seq], [last, last, last]);
      assert.ok(
        seen.length >= 3 && seen.every((p, i) => i === 0 || p.applied >= (seen[i - 1]?.applied ?? 0)),
      );
      assert.ok(done.events_per_sec > 0);
      assert.deepStrictEqual(await rebuilt.dump(), await live.dump());
    },
  );

  it(
    "given a following runner, when replay runs on its own store, then the store is rebuilt and following resumes",
    opts,
    async () => {
      const store = await fresh();
      const r = runner(store);
      await r.start();
      await r.catchUp();
      await r.replay();
      const extra = await new JetStreamEventStore(stream.nc).appendJson(Subjects.controlStop, {}, "v-stop");
      last = extra.seq;
      await r.waitFor(last);
      await r.stop();
      assert.deepStrictEqual(await store.dump(), await (await reference()).dump());
    },
  );

  for (const when of ["before-commit", "after-commit"] as const) {
    it(
      `given a runner killed ${when} of batch 3, when a new runner starts on the store, then it equals an uninterrupted one`,
      opts,
      async () => {
        const inner = await fresh();
        const crashing = crashingStore(inner, { at: 3, when });
        await assert.rejects(runner(crashing).catchUp(), /simulated crash/);
        assert.equal(await inner.checkpoint(), when === "before-commit" ? 200 : 300);
        await runner(inner, 64).catchUp();
        assert.deepStrictEqual(await inner.dump(), await (await reference()).dump());
      },
    );
  }

  it(
    "given a following runner whose store fails once, then it restarts from the checkpoint and catches up",
    opts,
    async () => {
      const inner = await fresh();
      const r = runner(crashingStore(inner, { at: 2, when: "before-commit" }));
      await r.start();
      await r.waitFor(last, 30_000);
      await r.stop();
      assert.equal(r.stats().failures, 1);
      assert.deepStrictEqual(await inner.dump(), await (await reference()).dump());
    },
  );

  it(
    "given two runners sharing one store, when both catch up at once, then the store equals one runner's",
    opts,
    async () => {
      const store = await fresh();
      await Promise.all([runner(store, 37).catchUp(), runner(store, 101).catchUp()]);
      assert.deepStrictEqual(await store.dump(), await (await reference()).dump());
    },
  );

  it(
    "given a caught-up store, when the same events are delivered again, then nothing changes",
    opts,
    async () => {
      const store = await reference();
      const before = await store.dump();
      const raw = [];
      for await (const m of new StreamReader(stream.nc).readRange({ fromSeq: 1, toSeq: last })) raw.push(m);
      for (const [from, to] of [
        [1, last],
        [300, 900],
        [901, 905],
      ] as const) {
        const items = applicableAfter(
          raw.filter((m) => m.seq >= from && m.seq <= to),
          0,
          () => undefined,
        );
        await store.apply(await planBatch(store, items, to));
      }
      assert.deepStrictEqual(await store.dump(), before);
    },
  );

  it(
    "given events not yet applied, then lag counts them and waitFor times out with NotReadyError",
    opts,
    async () => {
      const store = await fresh();
      const r = runner(store);
      assert.equal(await r.lag(), last);
      await assert.rejects(r.waitFor(last, 50), NotReadyError);
      await r.catchUp();
      assert.equal(await r.lag(), 0);
      await r.waitFor(last, 50);
    },
  );
}
