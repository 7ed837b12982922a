// The critic labels its scores with the model whose output it judged: from the critic task's
// task.created (`target_model`) without a read, and from the judged task's last event when the
// task.created was written before it carried that field. On a real nats-server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import { createCritic } from "../../../src/actors/critic/index.ts";
import { type EventData, newEvent, Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { foldTask } from "../../../src/core/lifecycle/index.ts";
import type { RunFields } from "../../../src/core/worker/outcome.ts";
import {
  Artifacts,
  type Connection,
  connectNats,
  JetStreamEventStore,
  listen,
  provisionTopology,
} from "../../../src/nats/index.ts";
import { type NatsServerHandle, startNatsServer } from "../../support/index.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");
// The critic agent's answer, in the format src/core/protocol/critique.ts parses.
const CRITIQUE = "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fine";

describe("critic: the judged model", () => {
  let server: NatsServerHandle;
  let nc: Connection;
  let events: JetStreamEventStore;
  let artifacts: Artifacts;
  before(async () => {
    server = await startNatsServer();
    nc = await connectNats(server.url, "critic-judged-model");
    await provisionTopology(nc);
    events = new JetStreamEventStore(nc);
    artifacts = await Artifacts.open(nc);
  });
  after(async () => {
    await nc.close();
    await server.stop();
  });

  /** Store the generator's last event (on `model`), then judge it with a critic task created with `created`. */
  async function judge(jobId: string, generatorModel: string, created: Partial<EventData<"task.created">>) {
    const target = taskIdFor(jobId, 1, "generator", 0);
    const critic = taskIdFor(jobId, 1, "critic", 1);
    const outcome: RunFields = {
      output_ref: `out/${target}/1`,
      output_inline: "a line about queues",
      output_bytes: 19,
      duration_ms: 5,
      model: generatorModel,
      usage: { input_tokens: 1, output_tokens: 1 },
      cost_usd: 0,
      offline: false,
      excerpt: "a line about queues",
    };
    const meta = { job_id: jobId, now: NOW };
    await events.append(
      Subjects.task(target),
      newEvent("task.completed", outcome, { ...meta, task_id: target }),
    );
    const data: EventData<"task.created"> = {
      task_type: "critic",
      queue: "critic",
      iteration: 1,
      priority: 0,
      band: "normal",
      prompt: { inline: "ROLE: critic" },
      attachments: [{ label: "output", ref: outcome.output_ref, inline: "a line about queues" }],
      model: "critic-model",
      fallback_models: [],
      max_attempts: 3,
      timeout_ms: 60_000,
      validation: [],
      round: 0,
      target_task_id: target,
      ...created,
    };
    const task = foldTask([{ event: newEvent("task.created", data, { ...meta, task_id: critic }), seq: 1 }]);
    assert.ok(task);
    const registry = new Registry();
    const reads: string[] = [];
    const tap = listen(nc, "$JS.API.STREAM.MSG.GET.>", (subject) => reads.push(subject));
    try {
      const fields = { ...outcome, model: "critic-model", output_ref: `out/${critic}/1` };
      const outcomeOfCritic = await createCritic(
        { events, artifacts },
        registry,
      )({
        task,
        attempt: 1,
        output: CRITIQUE,
        fields,
        meta: { ...meta, task_id: critic },
      });
      assert.equal(outcomeOfCritic.type, "task.completed");
      await nc.flush(); // the tap has heard every request this connection sent
    } finally {
      tap.close();
    }
    const counted = (await registry.getSingleMetric("agents_critiques_total")?.get())?.values ?? [];
    return { models: counted.map((v) => v.labels.model), reads };
  }

  it("given a critic task created with target_model, when it judges, then its scores name that model and nothing is read", async () => {
    // The generator's last event names another model: a read would label the scores with it.
    const r = await judge("job-judged-a", "model-in-the-event", { target_model: "model-in-created" });
    assert.deepEqual(r.models, ["model-in-created"]);
    assert.deepEqual(r.reads, [], "no stream get for the judged task");
  });

  it("given a critic task created before target_model existed, when it judges, then the judged task's last event names the model", async () => {
    const r = await judge("job-judged-b", "model-in-the-event", {});
    assert.deepEqual(r.models, ["model-in-the-event"]);
    assert.equal(r.reads.length, 1, `one read of the judged task: ${r.reads.join(", ")}`);
  });
});
