// A worker with free slots claims a backlog in fewer pull requests than tasks: the pull requests are
// counted as the server receives them (a core NATS subscription sees every request published on
// the JetStream API's "next messages" subject of the work stream), not by anything the worker says.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_WORK, Subjects } from "../../src/core/events/index.ts";
import { actorsUp } from "../support/actors-up.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

describe("given four tasks queued before a worker of concurrency 4 starts", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    await actorsUp(stack.startOrchestrator());
  });
  after(() => stack.stop());

  it("when the worker starts, then it takes all four in fewer than four pull requests", async (t) => {
    // Long runs: no slot frees up (and no further pull goes out for it) before all four started.
    await stack.submit({ spec: "Write one line.\nFIXTURE: sleep 60000", count: 4 });
    const deadline = Date.now() + 30_000;
    while ((await stack.jsm.streams.info(STREAM_WORK)).state.messages < 4 && Date.now() < deadline) {
      await sleep(100);
    }
    assert.equal((await stack.jsm.streams.info(STREAM_WORK)).state.messages, 4, "four work items queued");

    const batches: number[] = [];
    const sub = stack.nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_WORK}.>`, {
      callback: (_err, msg) => {
        const body = JSON.parse(new TextDecoder().decode(msg.data)) as { batch?: number };
        batches.push(body.batch ?? 1);
      },
    });
    await stack.nc.flush();
    try {
      await actorsUp(stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "4" }));
      const events = await stack.waitFor(
        Subjects.tasks,
        (es) => ofType(es, "task.started").length >= 4,
        30_000,
      );
      const pulls = [...batches];
      t.diagnostic(`pull requests until four started: ${pulls.length}, batch sizes ${pulls.join(", ")}`);
      assert.equal(ofType(events, "task.started").length, 4);
      assert.ok(pulls.length < 4, `four tasks taken in ${pulls.length} pull requests`);
      assert.ok(
        pulls.some((b) => b > 1),
        "a pull request asked for more than one message",
      );
    } finally {
      sub.unsubscribe();
    }
  });
});
