// The lane poller's standing pulls, against a real nats-server: while no lane seems to hold work, a
// one-message pull stands open on a lately busy lane, so an item published then is pushed to the
// worker by the server (no pull request goes out for it), and the loop's own pull never asks for
// the message the standing pull takes (which would keep that pull open until it expires). Pull
// requests are counted as the server receives them: a core subscription sees every request
// published on the JetStream API's "next messages" subject of the work stream.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { STREAM_WORK, Subjects, type WorkItem } from "../../src/core/events/index.ts";
import type { Delivery } from "../../src/core/ports/delivery.ts";
import type { Lane } from "../../src/core/worker/lanes.ts";
import { JetStreamEventStore, provisionTopology } from "../../src/nats/index.ts";
import { LanePoller } from "../../src/nats/lane-poller.ts";
import { eventually, type NatsServerHandle, startNatsServer } from "../support/index.ts";

const log = pino({ level: "silent" });
const LANE: Lane = { route: "claude", queue: "standard", band: "normal" };
const OTHER: Lane = { route: "claude", queue: "standard", band: "low" };

const item = (taskId: string, band: Lane["band"] = "normal"): WorkItem => ({
  task_id: taskId,
  job_id: "job-standing",
  route: "claude",
  queue: "standard",
  band,
  priority: 0,
  attempt: 1,
});

describe("given a lane poller whose lane saw a publish lately and no lane with work", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let events: JetStreamEventStore;
  const pulls: Array<{ subject: string; batch: number }> = [];
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await provisionTopology(nc);
    events = new JetStreamEventStore(nc);
    nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_WORK}.>`, {
      callback: (_err, m) => {
        const body = JSON.parse(new TextDecoder().decode(m.data)) as { batch?: number };
        pulls.push({ subject: m.subject, batch: body.batch ?? 1 });
      },
    });
    await nc.flush();
  });
  after(async () => {
    await nc.close();
    await nats.stop();
  });

  const publish = (w: WorkItem) =>
    events.appendJson(Subjects.work("claude", w.queue, w.band), w, `${w.task_id}:standing-test`);

  it("when an item is published while a pull stands, then it arrives with no pull request sent for it", async () => {
    const poller = new LanePoller(nc, { events, log }, () => undefined);
    const got: Array<Delivery<WorkItem>> = [];
    let ended = 0;
    poller.noticePublish(Subjects.work("claude", "standard", "normal")); // the lane was busy lately
    const before = pulls.length;
    poller.stand(
      [LANE, OTHER],
      4,
      (d) => got.push(d),
      () => ended++,
    );
    assert.equal(poller.standingPulls, 1, "one pull stands, on the lately busy lane only");
    await eventually(async () => pulls.length === before + 1, 20_000);
    assert.equal(pulls.at(-1)?.batch, 1);

    await publish(item("t-pushed"));
    await eventually(async () => got.length === 1, 20_000);
    assert.equal(got[0]?.item.task_id, "t-pushed");
    assert.equal(pulls.length, before + 1, "no pull request went out after the publish");
    await got[0]?.ack();
    await eventually(async () => ended === 1 && poller.standingPulls === 0, 20_000);
    await poller.settle();
  });

  it("when the lane's publish is noticed while its pull stands, then the loop's take asks for nothing and the standing pull brings it", async () => {
    const poller = new LanePoller(nc, { events, log }, () => undefined);
    const fromStanding: Array<Delivery<WorkItem>> = [];
    poller.noticePublish(Subjects.work("claude", "standard", "normal"));
    // Brought to zero by an empty pull (nothing waits), as after an idle pass.
    assert.equal(await poller.take([LANE], 4, () => undefined), 0);
    const before = pulls.length;
    // As the worker does, the poller is told of each message held.
    poller.stand(
      [LANE],
      4,
      (d) => {
        poller.hold(d.subject, 1);
        fromStanding.push(d);
      },
      () => undefined,
    );
    await eventually(async () => pulls.length === before + 1, 20_000);

    await publish(item("t-noticed"));
    poller.noticePublish(Subjects.work("claude", "standard", "normal"));
    const fromTake: Array<Delivery<WorkItem>> = [];
    // Without the standing pull counted, this take would pull one message and, since the standing
    // pull takes it, hold its request open until it expires.
    assert.equal(await poller.take([LANE], 4, (d) => fromTake.push(d)), 0);
    await eventually(async () => fromStanding.length === 1, 20_000);
    assert.equal(fromStanding[0]?.item.task_id, "t-noticed");
    assert.equal(fromTake.length, 0);
    assert.equal(pulls.length, before + 1, "only the standing pull's request");
    await fromStanding[0]?.ack();
    await poller.settle();
  });
});
