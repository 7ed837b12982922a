// Projection replay benchmark: `npx tsx bench/replay.ts [--events N] [--batch B] [--snapshot-at F]`
// (default 100 000 / 500 / 0.95). Starts its own nats-server, publishes N workload messages, then
// measures in the same run: the raw read rate of the stream (iterate + JSON.parse, no projection) as
// the baseline, the read rate with event decoding (zod), a full replay into the embedded store, and
// the orchestrator's rebuild (its fold of the same stream: what a restart or a standby's takeover
// costs). Cold starts from snapshots: after the first F·N messages the orchestrator's state and the
// projections are snapshotted; once all N are in, a cold start reads the snapshot and folds the tail.
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { foldRange, StateSnapshots } from "../src/actors/orchestrator/snapshots.ts";
import { AgentEvent, decodeWith, PROJECTION_SNAPSHOTS_BUCKET, Subjects } from "../src/core/events/index.ts";
import { encodeState } from "../src/core/orchestrator/snapshot.ts";
import { evolve, initialState } from "../src/core/orchestrator/state.ts";
import { SnapshotBucket } from "../src/nats/fold-snapshots.ts";
import { connectNats, JetStreamEventStore, provisionTopology, StreamReader } from "../src/nats/index.ts";
import { createEmbeddedStore, ProjectionRunner } from "../src/projections/index.ts";
import { publishWorkload } from "../test/projections/support.ts";
import { workload } from "../test/projections/workload.ts";
import { startNatsServer } from "../test/support/index.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "100000" },
    batch: { type: "string", default: "500" },
    "snapshot-at": { type: "string", default: "0.95" },
  },
});
const snapshotAt = Number(values["snapshot-at"]);
if (!(snapshotAt > 0 && snapshotAt < 1))
  throw new Error(`--snapshot-at must be in (0, 1), got ${values["snapshot-at"]}`);
const total = Number(values.events);
const batchSize = Number(values.batch);
if (!Number.isInteger(total) || total < 1)
  throw new Error(`--events must be a positive integer, got ${values.events}`);

const quiet = pino({ level: "silent" });
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

// The first `n` messages of an endless workload (jobs keep coming until n is reached).
function* firstN(n: number) {
  let i = 0;
  for (const m of workload({ jobs: Number.MAX_SAFE_INTEGER, concurrency: 8, prefix: "b" })) {
    if (i++ >= n) return;
    yield m;
  }
}

// JSON.parse that answers null for junk (the stream holds a few non-JSON messages on purpose).
function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// Baseline: read every message and JSON.parse it; `decode` also checks it against the event schema.
async function readAll(reader: StreamReader, last: number, decode: boolean) {
  const decoder = new TextDecoder();
  const started = performance.now();
  let n = 0;
  for await (const m of reader.readRange({ fromSeq: 1, toSeq: last })) {
    if (decode) decodeWith(AgentEvent, m.data);
    else parseOrNull(decoder.decode(m.data));
    n += 1;
  }
  const ms = performance.now() - started;
  return { n, ms, perSec: rate(n, ms) };
}

/** What Orchestrator.start() does before it consumes: read every event to `last` and fold it. */
async function orchestratorRebuild(nc: NatsConnection, last: number) {
  const state = initialState();
  const started = performance.now();
  let n = 0;
  let refused = 0;
  for await (const e of new StreamReader(nc).readEvents(Subjects.all, { toSeq: last })) {
    try {
      evolve(state, e.event, e.seq);
    } catch {
      refused += 1; // the orchestrator logs such an event and goes on
    }
    n += 1;
  }
  const ms = performance.now() - started;
  return { n, ms, refused, jobs: state.jobs.size, tasks: state.tasks.size, state };
}

/** The first `n` items of an iterator (the rest stay in it). */
function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const next = it.next();
    if (next.done) return;
    yield next.value;
  }
}

/** Snapshot the orchestrator's fold and the projections at `cut` (what the running system does). */
async function writeSnapshots(nc: NatsConnection, cut: number, batchSize: number) {
  const fold = { state: initialState(), seq: 0 };
  await foldRange(new JetStreamEventStore(nc), fold, cut, () => undefined);
  let t = performance.now();
  const orchestratorBytes = await new StateSnapshots(nc, "orchestrator", quiet).save(fold.state, cut);
  const orchestratorMs = Math.round(performance.now() - t);
  const snapshots = await SnapshotBucket.open(nc, PROJECTION_SNAPSHOTS_BUCKET);
  const runner = new ProjectionRunner({ nc, store: createEmbeddedStore(), log: quiet, batchSize, snapshots });
  await runner.catchUp(600_000);
  t = performance.now();
  const projections = (await runner.snapshot()) ?? { seq: 0, docs: 0, bytes: 0 };
  const projectionsMs = Math.round(performance.now() - t);
  await runner.store.close();
  return { orchestratorBytes, orchestratorMs, projections, projectionsMs };
}

/** What Orchestrator.start() does now: the newest snapshot, then the events after it. */
async function coldOrchestrator(nc: NatsConnection, last: number) {
  const started = performance.now();
  const found = await new StateSnapshots(nc, "orchestrator", quiet).load(last);
  if (!found) throw new Error("no orchestrator snapshot");
  const readMs = Math.round(performance.now() - started);
  const fold = { state: found.state, seq: found.seq };
  const events = await foldRange(new JetStreamEventStore(nc), fold, last, () => undefined);
  const ms = performance.now() - started;
  const text = (s: typeof fold.state) => JSON.stringify(encodeState(s));
  return { ms, readMs, events, same: (full: typeof fold.state) => text(full) === text(fold.state) };
}

/** What a gateway's embedded projections do at start now: the newest snapshot, then the tail. */
async function coldProjections(nc: NatsConnection, batchSize: number) {
  const snapshots = await SnapshotBucket.open(nc, PROJECTION_SNAPSHOTS_BUCKET);
  const runner = new ProjectionRunner({ nc, store: createEmbeddedStore(), log: quiet, batchSize, snapshots });
  const started = performance.now();
  await runner.start();
  const readMs = Math.round(performance.now() - started);
  await runner.catchUp(600_000);
  const ms = performance.now() - started;
  await runner.stop();
  return { ms, readMs, dump: await runner.store.dump() };
}

const server = await startNatsServer();
const nc = await connectNats(server.url, "bench-replay");
try {
  await provisionTopology(nc);
  const reader = new StreamReader(nc);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  let t = performance.now();
  const messages = firstN(total);
  const head = Math.floor(total * snapshotAt);
  const cut = await publishWorkload(nc, take(messages, head), 1000);
  const snap = await writeSnapshots(nc, cut, batchSize);
  const last = await publishWorkload(nc, messages, 1000);
  console.log(
    `published ${fmt(total)} messages in ${((performance.now() - t) / 1000).toFixed(1)} s (last seq ${last}; snapshots at ${fmt(cut)} written in between)`,
  );

  await readAll(reader, last, false); // warm-up: the first read pays for loading the stream's blocks
  const raw1 = await readAll(reader, last, false);
  const decoded = await readAll(reader, last, true);
  const store = createEmbeddedStore();
  const runner = new ProjectionRunner({ nc, store, log: pino({ level: "silent" }), batchSize });
  t = performance.now();
  const done = await runner.replay({
    progressEvery: Math.max(1, Math.floor(total / 5)),
    onProgress: (p) =>
      console.log(`  replay ${fmt(p.applied)}/${fmt(p.total)}  ${fmt(p.events_per_sec)} events/s`),
  });
  const replayMs = performance.now() - t;
  const raw2 = await readAll(reader, last, false);
  const orch = await orchestratorRebuild(nc, last);
  const baseline = Math.max(raw1.perSec, raw2.perSec);
  const replayRate = rate(done.applied, replayMs);
  const dump = await store.dump();
  const tasks = dump.tasks_standard.length + dump.tasks_heavy.length + dump.tasks_critic.length;
  console.log(
    `raw read (iterate + JSON.parse):     ${fmt(raw1.perSec)} / ${fmt(raw2.perSec)} msgs/s (before / after replay)`,
  );
  console.log(`read + decode (zod AgentEvent):      ${fmt(decoded.perSec)} msgs/s`);
  console.log(
    `replay into the embedded store:      ${fmt(replayRate)} events/s (${(replayMs / 1000).toFixed(2)} s, batch ${batchSize})`,
  );
  console.log(`ratio replay / raw read:             ${(replayRate / baseline).toFixed(2)}`);
  console.log(`rebuild time per million events:    ${((replayMs / done.applied) * 1000).toFixed(1)} s`);
  console.log(
    `orchestrator rebuild (read + fold):  ${fmt(rate(orch.n, orch.ms))} events/s, ${((orch.ms / orch.n) * 1000).toFixed(1)} s per million; in memory after: ${fmt(orch.jobs)} jobs, ${fmt(orch.tasks)} tasks (${fmt(orch.refused)} events refused by the fold)`,
  );
  console.log(
    `store: ${fmt(tasks)} tasks, ${fmt(dump.jobs.length)} jobs, ${fmt(dump.quality_history.length)} critiques; heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
  );
  console.log(
    `snapshots at seq ${fmt(cut)}: orchestrator ${fmt(snap.orchestratorBytes)} bytes (written in ${snap.orchestratorMs} ms), projections ${fmt(snap.projections.docs)} documents, ${fmt(snap.projections.bytes)} bytes (written in ${snap.projectionsMs} ms)`,
  );
  const cold = await coldOrchestrator(nc, last);
  console.log(
    `orchestrator cold start from the snapshot: ${(cold.ms / 1000).toFixed(2)} s (read ${cold.readMs} ms, tail ${fmt(cold.events)} events); full fold ${(orch.ms / 1000).toFixed(2)} s; same state: ${cold.same(orch.state)}`,
  );
  const coldP = await coldProjections(nc, batchSize);
  console.log(
    `projections cold start from the snapshot: ${(coldP.ms / 1000).toFixed(2)} s (read ${coldP.readMs} ms, tail ${fmt(last - cut)} messages); full replay ${(replayMs / 1000).toFixed(2)} s; same documents: ${JSON.stringify(coldP.dump) === JSON.stringify(dump)}`,
  );
} finally {
  await nc.close();
  await server.stop();
}
