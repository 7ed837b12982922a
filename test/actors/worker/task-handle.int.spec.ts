import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { Registry } from "prom-client";
import { WorkerExecutors } from "../../../src/actors/worker/executors.ts";
import { workerMetrics } from "../../../src/actors/worker/metrics.ts";
import { ModelLimiter } from "../../../src/actors/worker/model-limiter.ts";
import type { RunnerDeps } from "../../../src/actors/worker/runner-types.ts";
import { createHandle } from "../../../src/actors/worker/task-handle.ts";
import { Subjects } from "../../../src/core/events/index.ts";
import { foldTask, type TaskState } from "../../../src/core/lifecycle/index.ts";
import type { StoredEvent } from "../../../src/core/ports/event-store.ts";
import { createEchoExecutor } from "../../../src/executors/index.ts";
import { Artifacts } from "../../../src/nats/artifacts.ts";
import {
  JetStreamEventStore,
  JetStreamLimitsStore,
  provisionTopology,
  StreamReader,
} from "../../../src/nats/index.ts";
import { exampleEvent } from "../../core/events/examples.ts";
import { type NatsServerHandle, startNatsServer } from "../../support/index.ts";

const WORKER = "worker-handle-test";

describe("the handle of a running task", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let deps: RunnerDeps;

  before(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await provisionTopology(nc);
    const log = pino({ level: "silent" });
    deps = {
      events: new JetStreamEventStore(nc),
      artifacts: await Artifacts.open(nc),
      executors: new WorkerExecutors(
        new Map([["claude", createEchoExecutor()]]),
        pino({ level: "silent" }),
        () => undefined,
        60_000,
      ),
      routes: [],
      artifactLimits: { maxFiles: 10, maxBytes: 1000 },
      models: new ModelLimiter(await JetStreamLimitsStore.open(nc, log), new Map(), log),
      critic: async () => {
        throw new Error("no critic tasks here");
      },
      log: pino({ level: "silent" }),
      metrics: workerMetrics(new Registry()),
      workerId: WORKER,
      dataDir: tmpdir(),
      killGraceMs: 1000,
    };
  });
  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** A task this worker has just started: created, queued, started. */
  async function running(id: string): Promise<TaskState> {
    const meta = (type: string) => ({ id: `${id}-${type}`, job_id: "job-h", task_id: id });
    for (const type of ["task.created", "task.queued"] as const)
      await deps.events.append(Subjects.task(id), exampleEvent(type, {}, meta(type)));
    await deps.events.append(
      Subjects.task(id),
      exampleEvent("task.started", { worker_id: WORKER }, meta("task.started")),
    );
    return foldTask(await history(id)) as TaskState;
  }
  async function history(id: string): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for await (const e of new StreamReader(nc).readEvents(Subjects.task(id))) out.push(e);
    return out;
  }
  const types = async (id: string) => (await history(id)).map((e) => e.event.type);
  const progress = (h: ReturnType<typeof createHandle>) =>
    exampleEvent("task.progress", {}, { ...h.meta(), id: `p-${Math.random()}` });
  const completed = (h: ReturnType<typeof createHandle>) =>
    exampleEvent("task.completed", {}, { ...h.meta(), id: `c-${Math.random()}` });

  it("given an outcome recorded, when a heartbeat asks for progress after it, then no progress follows the outcome", async () => {
    const h = createHandle(deps, await running("h1"), 1);
    await h.append(completed(h));
    await h.append(progress(h));
    await h.settled();
    assert.deepEqual(await types("h1"), ["task.created", "task.queued", "task.started", "task.completed"]);
  });

  it("given progress and the outcome asked for together, then both are recorded, in that order", async () => {
    const h = createHandle(deps, await running("h2"), 1);
    const both = [h.append(progress(h)), h.append(completed(h))];
    await Promise.all(both);
    assert.deepEqual(await types("h2"), [
      "task.created",
      "task.queued",
      "task.started",
      "task.progress",
      "task.completed",
    ]);
  });
});
