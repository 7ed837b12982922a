// The orchestrator's adapter: hold the leader lease, rebuild state from the stream, then consume,
// decide and publish; record the system state for every process; look for stuck work. Other
// orchestrators wait as standbys and take over when the lease frees up.
import { Registry } from "prom-client";
import { z } from "zod";
import { ConcurrencyError, errorMessage } from "../../core/errors.ts";
import { type AgentEvent, misplaced, STREAM_EVENTS } from "../../core/events/index.ts";
import { jobIdFor, jobIdFromTaskId } from "../../core/ids.ts";
import {
  type AppendCommand,
  afterLostRace,
  type Command,
  type DecideConfig,
  decide,
  decodeInput,
  eventInput,
  evolve,
  initialState,
  noteSubjectSeq,
  type OrchestratorInput,
  type OrchestratorState,
  tidyJob,
} from "../../core/orchestrator/index.ts";
import { ArtifactKeys, INLINE_LIMIT_BYTES } from "../../core/ports/artifact-store.ts";
import type { StoredEvent } from "../../core/ports/event-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { AckFloor } from "../../nats/ack-floor.ts";
import { Artifacts } from "../../nats/artifacts.ts";
import type { Connection } from "../../nats/connection.ts";
import { consumeLoop } from "../../nats/consumer.ts";
import { JetStreamEventStore } from "../../nats/event-store.ts";
import { Lease } from "../../nats/lease.ts";
import { StreamReader } from "../../nats/stream-reader.ts";
import { SystemRecords } from "../../nats/system-record.ts";
import { ackFloor, dispatchWork, ensureOrchestratorConsumer } from "../../nats/topology.ts";
import { Applied } from "./applied.ts";
import { type OrchestratorMetrics, orchestratorMetrics } from "./metrics.ts";
import { sendAll } from "./pipeline.ts";
import { Reconciler, type ReconcilerHost } from "./reconciler.ts";
import { restoreFromStream } from "./restore.ts";
import { type Fold, foldRange, type SnapshotSettings, StateSnapshots, writeSnapshots } from "./snapshots.ts";
import { type Leader, serveTenures } from "./tenure.ts";
import { Turns } from "./turns.ts";

type OwnEcho = { kind: "own-echo" };
const OWN_ECHO: OwnEcho = { kind: "own-echo" };

/** What one command's send came to. */
type SendResult =
  | { kind: "dispatched" }
  | { kind: "duplicate" }
  | { kind: "stored"; event: AgentEvent; seq: number };

/** An append that lost its expected-sequence race, with the event as it was sent. */
class LostRace extends Error {
  constructor(
    readonly command: AppendCommand,
    cause: ConcurrencyError,
  ) {
    super(cause.message, { cause });
  }
}

/** Inputs handled at once (about different jobs: see Turns). */
const INPUTS_IN_FLIGHT = 32;

/** Events that touch more than one job's state, or the system's: they are decided alone. */
const ALONE = new Set<string>([
  "job.reopened",
  "system.stopped",
  "system.resumed",
  "queue.paused",
  "queue.resumed",
]);

/** The job an input is about, when it is about one job only; undefined: it runs alone. */
function turnKey(input: OrchestratorInput): string | undefined {
  switch (input.kind) {
    case "submit":
      return jobIdFor(input.key);
    case "control":
      return undefined;
    case "event":
      return input.event.job_id && !ALONE.has(input.event.type) ? input.event.job_id : undefined;
    default: {
      const never: never = input;
      throw new Error(`unknown input ${JSON.stringify(never)}`);
    }
  }
}

/** Re-reads of a subject after lost races for one input before it is put back for redelivery. */
const MAX_RACE_ROUNDS = 5;

export type OrchestratorOptions = {
  nc: Connection;
  log: Logger;
  config: DecideConfig;
  /** Durable consumer name on AGENTS. Default "orchestrator". */
  consumer?: string;
  /** Largest submission accepted (bytes). Default 1 MiB. */
  maxSubmitBytes?: number;
  /** Leader lease ttl (ms): a standby takes over after this long without renewal. Default 15 s. */
  leaseTtlMs?: number;
  /** How often the reconciler looks for stuck work (ms). Default 15 s. */
  reconcileEveryMs?: number;
  /** How long work must sit unchanged before it is repaired (ms). Default 60 s. */
  reconcileAfterMs?: number;
  /** State snapshots written while leading. Default every 100 000 events, looked at every minute. */
  snapshots?: SnapshotSettings;
  clock?: () => number;
  /** Where the orchestrator's metrics are registered (the process's /metrics). Default: a private one. */
  registry?: Registry;
};

export class Orchestrator {
  state: OrchestratorState = initialState();
  private readonly events: JetStreamEventStore;
  /** Events already applied here; skipped when they come back from the stream. */
  private applied = new Applied();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private artifacts: Artifacts | undefined;
  private records: SystemRecords | undefined;
  private lease: Lease | undefined;
  private isLeading = false;
  /** Stream sequence the state is folded to (always an ack floor of the consumer). */
  private folded = 0;
  /**
   * Every input up to this stream sequence has been handled (or folded at takeover). It moves with
   * the turns that run alone; a job's turns use their own input's sequence instead (see catchUp).
   */
  private consumed = 0;
  /** The last stream sequence the consumer handed over: its input is scheduled, maybe not handled. */
  private handedOver = 0;
  /** Every control command up to this sequence has been decided (written with the system record). */
  private controlSeq = 0;
  private written = { seq: -1, control: -1 };
  /** Inputs about one job take turns; other jobs' inputs run beside them; the rest runs alone. */
  private readonly turns = new Turns();
  /** Events and work items stored since start (a repair counts when this moved). */
  private stored = 0;
  readonly metrics: OrchestratorMetrics;
  private readonly unwatch: () => void;
  private readonly snapshots: StateSnapshots;
  /** Sequence of the snapshot the current fold started from (0: none). */
  private fromSnapshot = 0;

  constructor(private readonly o: OrchestratorOptions) {
    this.events = new JetStreamEventStore(o.nc);
    this.snapshots = new StateSnapshots(o.nc, this.name, o.log);
    this.metrics = orchestratorMetrics(o.registry ?? new Registry());
    this.unwatch = this.metrics.watch({ state: () => this.state, leading: () => this.isLeading });
  }

  /** True while this orchestrator holds the lease and consumes; false while it stands by. */
  get leading(): boolean {
    return this.isLeading;
  }

  private get name(): string {
    return this.o.consumer ?? "orchestrator";
  }

  /**
   * Take the leader lease, rebuild from the stream up to the consumer's ack floor, then process new
   * input. Resolves once leading, or once standing by while another orchestrator leads (it then
   * takes over in the background). Rejects when the first attempt to lead fails.
   */
  async start(): Promise<void> {
    this.lease = await Lease.open(this.o.nc, {
      name: this.name,
      ttlMs: this.o.leaseTtlMs ?? 15_000,
      log: this.o.log,
    });
    this.records = await SystemRecords.open(this.o.nc, this.o.log);
    const lease = this.lease;
    await new Promise<void>((resolve, reject) => {
      const leader: Leader = {
        foldAhead: () => this.foldAhead(),
        lead: (signal) => this.lead(signal),
        reset: () => this.reset(),
        setLeading: (leading) => {
          this.isLeading = leading;
        },
      };
      this.loop = serveTenures(lease, leader, {
        log: this.o.log,
        stop: this.abort.signal,
        ready: { resolve, reject },
      });
    });
  }

  /** Fold up to the consumer's ack floor while standing by. */
  private async foldAhead(): Promise<void> {
    const { events } = await this.foldTo(await ackFloor(this.o.nc, this.name));
    if (events > 0) this.o.log.debug({ events, folded: this.folded }, "standby folded ahead");
  }

  private reset(): void {
    this.state = initialState();
    this.applied = new Applied();
    this.folded = 0;
    this.fromSnapshot = 0;
    this.consumed = 0;
    this.handedOver = 0;
    this.controlSeq = 0;
    this.written = { seq: -1, control: -1 };
  }

  /**
   * Fold the events after what is folded already, up to `toSeq` (an ack floor); a fresh state starts
   * from the newest snapshot at or below it. A floor behind the fold (the consumer was recreated by
   * hand) means starting over from sequence 1.
   */
  private async foldTo(toSeq: number): Promise<{ from: number; events: number }> {
    if (toSeq < this.folded) this.reset();
    if (this.folded === 0 && toSeq > 0) await this.startFromSnapshot(toSeq);
    const from = this.folded + 1;
    const fold: Fold = { state: this.state, seq: this.folded };
    try {
      const events = await foldRange(this.events, fold, toSeq, (err, seq, type) =>
        // The stream is the truth; an event our fold refuses is logged, not fatal.
        this.o.log.error({ err: errorMessage(err), seq, type }, "event not applied"),
      );
      return { from, events };
    } finally {
      this.folded = fold.seq;
    }
  }

  /** Take the newest usable snapshot; say so when retention removed events no snapshot covers. */
  private async startFromSnapshot(toSeq: number): Promise<void> {
    const found = await this.snapshots.load(toSeq);
    if (found) {
      this.state = found.state;
      this.folded = found.seq;
      this.fromSnapshot = found.seq;
    }
    const bounds = await new StreamReader(this.o.nc).bounds();
    if (bounds.messages > 0 && bounds.first_seq > this.folded + 1)
      this.o.log.warn(
        { first_seq: bounds.first_seq, snapshot_seq: this.fromSnapshot },
        `the stream starts at sequence ${bounds.first_seq} (retention removed older events) and no snapshot covers sequences ${this.folded + 1}–${bounds.first_seq - 1}: the state holds only what is left`,
      );
  }

  /** Rebuild to the ack floor, record the system state, and start consuming and reconciling. */
  private async lead(signal: AbortSignal): Promise<{ consuming: Promise<void> }> {
    const floor = await ensureOrchestratorConsumer(this.o.nc, this.name);
    this.artifacts = await Artifacts.open(this.o.nc);
    const t0 = Date.now();
    const { from, events } = await this.foldTo(floor);
    // Every control command up to the floor was decided by an earlier tenure.
    this.consumed = floor;
    this.handedOver = floor;
    this.controlSeq = Math.max(this.controlSeq, floor);
    await this.writeSystem();
    this.o.log.info(
      {
        events,
        from,
        floor,
        snapshot_seq: this.fromSnapshot,
        ms: Date.now() - t0,
        holder: this.lease?.holder,
      },
      "orchestrator state rebuilt; leading",
    );
    // The writer ends with the consuming, whatever ends it, so two tenures never write at once.
    const stopWriting = new AbortController();
    const snapshotting = writeSnapshots({
      snapshots: this.snapshots,
      events: this.events,
      settings: this.o.snapshots ?? { everyEvents: 100_000, checkMs: 60_000 },
      start: { state: this.state, seq: this.folded, lastSnapshot: this.fromSnapshot },
      floor: () => ackFloor(this.o.nc, this.name),
      log: this.o.log,
      signal: AbortSignal.any([signal, stopWriting.signal]),
    });
    // One ack per run of finished inputs (AckPolicy.All): a new floor per tenure, since every tenure
    // recreates the consumer at its floor.
    const acks = new AckFloor();
    // A lost lease (not a stop) ends acking at once: see AckFloor.close. A stop acks what finished.
    signal.addEventListener("abort", () => this.abort.signal.aborted || acks.close(), { once: true });
    const consuming = consumeLoop(this.o.nc, {
      stream: STREAM_EVENTS,
      consumer: this.name,
      schema: z.custom<OrchestratorInput | OwnEcho>(),
      decode: (m) => {
        // Events already applied here come back from the stream: skip them by sequence, before
        // decoding anything (headers included).
        if (this.applied.takeEcho(m.seq)) return { ok: true, value: OWN_ECHO };
        return decodeInput(m, this.o.maxSubmitBytes ?? 1_000_000);
      },
      handler: async (input, m) => {
        this.handedOver = Math.max(this.handedOver, m.seq);
        // An own event was applied when it was stored; it is finished at once (the floor still
        // waits for the input that caused it).
        if (input.kind === "own-echo") return undefined;
        const key = turnKey(input);
        if (key !== undefined) await this.turns.keyed(key, () => this.handle(input));
        else await this.alone(() => this.handle(input));
        return undefined;
      },
      log: this.o.log,
      signal,
      // Inputs about different jobs side by side, each job's in order (see Turns), pulled ahead in
      // batches; acked a run at a time, never termed nor nak'd (see AckFloor and consumeLoop).
      concurrency: INPUTS_IN_FLIGHT,
      prefetch: 256,
      ackAll: acks,
    }).finally(() => acks.flush());
    const reconciling = new Reconciler(this.reconcilerHost(), {
      everyMs: this.o.reconcileEveryMs ?? 15_000,
      afterMs: this.o.reconcileAfterMs ?? 60_000,
      log: this.o.log,
      repairs: this.metrics.repairs,
    }).run(signal);
    const running = Promise.all([consuming, reconciling]);
    // The snapshot writer ends with the tenure, whatever ends it, so two tenures never write at once.
    const ended = async () => {
      stopWriting.abort();
      await snapshotting;
    };
    return {
      consuming: running.then(ended, async (err: unknown) => {
        await ended();
        throw err;
      }),
    };
  }

  /** Stop consuming (in-flight input finishes first), then hand the lease over. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.unwatch();
  }

  /**
   * Run `fn` alone. Every input handed over before it has been handled by then (and none after it),
   * so `consumed` moves to there: what the reconciler and a retry's restore take as handled.
   */
  private alone(fn: () => Promise<void>): Promise<void> {
    const upTo = this.handedOver;
    return this.turns.exclusive(async () => {
      this.consumed = Math.max(this.consumed, upTo);
      await fn();
    });
  }

  private apply(event: AgentEvent, seq: number): void {
    try {
      evolve(this.state, event, seq);
    } catch (err) {
      // The stream is the truth; an event our fold refuses is logged, not fatal.
      this.o.log.error(
        { err: errorMessage(err), seq, type: event.type, task_id: event.task_id },
        "event not applied",
      );
    }
  }

  private async handle(input: OrchestratorInput): Promise<void> {
    const t0 = performance.now();
    if (input.kind === "event") {
      if (this.applied.delete(input.event.id)) return;
      // A retry an earlier tenure decided re-opened a job this state has forgotten.
      if (input.event.type === "job.reopened" && input.event.job_id)
        await restoreFromStream(this.events, this.state, input.event.job_id, input.seq - 1);
      this.apply(input.event, input.seq);
    }
    const retried = input.kind === "control" && input.body.type === "retry" ? input.body.task_id : undefined;
    if (retried) await this.restoreFor(retried);
    // Every input of this job up to this one is handled (its turns are in order).
    await this.run(decide(this.state, input, this.ctx()), input, 0, input.seq);
    if (retried) {
      const jobId = jobIdFromTaskId(retried);
      if (jobId) tidyJob(this.state, jobId);
    }
    if (input.kind === "control") this.controlSeq = Math.max(this.controlSeq, input.seq);
    await this.writeSystem();
    this.metrics.handled(input.kind, (performance.now() - t0) / 1000);
  }

  private ctx() {
    return { now: (this.o.clock ?? Date.now)(), config: this.o.config };
  }

  /**
   * Execute one decision's commands: appends on different subjects (and work items) go out together,
   * those on one subject one after another (see sendAll). Every event stored is applied, in the
   * commands' order, before any is decided on (the state then matches what the stream holds), then
   * each is decided on in that order. An append that lost its expected-sequence race is never
   * dropped: the subject is read again and the input decided again (which replaces what was not
   * sent). The caller acks the input only after this resolves, so after every append it caused.
   */
  private async run(
    commands: Command[],
    input: OrchestratorInput | undefined,
    round = 0,
    handledTo = this.consumed,
  ): Promise<void> {
    if (commands.length === 0) return;
    const sent = await sendAll(commands, (c) => this.send(c));
    const stored: Array<{ event: AgentEvent; seq: number }> = [];
    for (const s of sent) {
      if (s.kind !== "done" || s.result.kind !== "stored") continue;
      const { event, seq } = s.result;
      // Read before applying: a final event may let the state forget the task.
      const task = event.task_id ? this.state.tasks.get(event.task_id) : undefined;
      this.stored++;
      this.applied.add(event.id, seq);
      this.apply(event, seq);
      this.metrics.recorded(event, task);
      this.o.log.debug({ type: event.type, job_id: event.job_id, task_id: event.task_id, seq }, "recorded");
      stored.push({ event, seq });
    }
    for (const [i, e] of stored.entries()) {
      const own = eventInput(e);
      try {
        await this.run(decide(this.state, own, this.ctx()), own, 0, handledTo);
      } catch (err) {
        // What follows our own events failed (a dispatch, say): decide on them again when they come
        // back from the stream, rather than skipping them as already handled.
        for (const later of stored.slice(i)) this.applied.delete(later.event.id);
        throw err;
      }
    }
    const failed = sent.findIndex((s) => s.kind === "failed");
    if (failed < 0) return;
    const error = (sent[failed] as { error: unknown }).error;
    if (!(error instanceof LostRace)) throw error;
    // Whatever was not stored after the lost append goes again once the race is settled.
    const rest = commands.filter(
      (_, i) => i > failed && (sent[i]?.kind === "blocked" || sent[i]?.kind === "failed"),
    );
    return this.lostRace(error.command, rest, input, round, handledTo);
  }

  /** One command on the wire: a work item, or an event (a large prompt stored first). */
  private async send(c: Command): Promise<SendResult> {
    if (c.kind === "dispatch") {
      if (await dispatchWork(this.events, c.item, c.dedup)) {
        this.stored++;
        this.metrics.dispatchedWork(c.item);
      }
      return { kind: "dispatched" };
    }
    const event = await this.externalize(c.event);
    try {
      const ack = await this.events.append(c.subject, event, { expectedSeq: c.expectedSeq });
      return ack.duplicate ? { kind: "duplicate" } : { kind: "stored", event, seq: ack.seq };
    } catch (err) {
      if (err instanceof ConcurrencyError) throw new LostRace({ ...c, event }, err);
      throw err;
    }
  }

  /** Read the subject again after a lost race, catch up on what we had not seen, and decide again. */
  private async lostRace(
    c: AppendCommand,
    rest: Command[],
    input: OrchestratorInput | undefined,
    round: number,
    handledTo: number,
  ): Promise<void> {
    const where = { subject: c.subject, type: c.event.type, expected: c.expectedSeq };
    if (round >= MAX_RACE_ROUNDS) {
      this.metrics.lostRaces.inc({ outcome: "failed" });
      // Not dropped: the input fails and comes back after a delay, to be decided again then.
      throw new Error(
        `append to ${c.subject} kept losing its race (${round} re-reads); deciding again later`,
      );
    }
    const read = await this.catchUp(c.subject, c.expectedSeq ?? 0, round, handledTo);
    const next = afterLostRace(c, read);
    this.o.log.info({ ...where, ...read, next: next.kind }, "stream moved on; read it again");
    switch (next.kind) {
      case "redecide":
        this.metrics.lostRaces.inc({ outcome: "redecided" });
        // A repair has no input to decide again: the reconciler looks at the task again next pass.
        return input
          ? this.run(decide(this.state, input, this.ctx()), input, round + 1, handledTo)
          : undefined;
      case "retry":
        this.metrics.lostRaces.inc({ outcome: "retried" });
        return this.run([{ ...c, expectedSeq: next.expectedSeq }, ...rest], input, round + 1, handledTo);
      case "exists":
        this.metrics.lostRaces.inc({ outcome: "exists" });
        return this.run(rest, input, round, handledTo);
      default: {
        const never: never = next;
        throw new Error(`unknown lost race outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Events on `subject` after `afterSeq`: those not seen yet are applied and decided as if consumed
   * now (and skipped when the consumer brings them); the subject's real last sequence is noted.
   * Events up to `handledTo` were handled already: every input of this subject's job up to there
   * has had its turn (the reconciler, running alone, passes everything handed over).
   */
  private async catchUp(
    subject: string,
    afterSeq: number,
    round: number,
    handledTo = this.consumed,
  ): Promise<{ fresh: number; found: number; last: number }> {
    const last = await this.events.lastSequence(subject);
    const found: StoredEvent[] = [];
    if (last > afterSeq)
      for await (const e of this.events.read(subject, { fromSeq: afterSeq + 1, toSeq: last })) found.push(e);
    let fresh = 0;
    for (const e of found) {
      if (e.seq <= handledTo || this.applied.has(e.event.id) || misplaced(e.subject, e.event)) continue;
      fresh++;
      this.applied.add(e.event.id, e.seq);
      this.apply(e.event, e.seq);
      await this.run(decide(this.state, eventInput(e), this.ctx()), eventInput(e), round + 1, handledTo);
    }
    noteSubjectSeq(this.state, subject, last);
    return { fresh, found: found.length, last };
  }

  /** A retried task's job may have been forgotten (it had ended): bring it back from the stream. */
  private async restoreFor(taskId: string): Promise<void> {
    const jobId = jobIdFromTaskId(taskId);
    if (!jobId || this.state.jobs.has(jobId)) return;
    const events = await restoreFromStream(this.events, this.state, jobId, this.consumed);
    if (events > 0) this.o.log.info({ job_id: jobId, events }, "job brought back for a retry");
  }

  /** Write the system state for every process when it moved (or a control command was decided). */
  private async writeSystem(): Promise<void> {
    const s = this.state.system;
    if (!this.records || (s.seq === this.written.seq && this.controlSeq === this.written.control)) return;
    await this.records.write({ ...s, control_seq: this.controlSeq });
    this.written = { seq: s.seq, control: this.controlSeq };
  }

  /** What the reconciler may do here: everything under the same turn as consumed input. */
  private reconcilerHost(): ReconcilerHost {
    return {
      nc: this.o.nc,
      events: this.events,
      inTurn: (fn) => this.alone(fn),
      state: () => this.state,
      ctx: () => this.ctx(),
      stored: () => this.stored,
      decideEvent: async (e) => {
        const input = eventInput(e);
        if (e.seq > this.consumed && !this.applied.has(e.event.id)) {
          this.applied.add(e.event.id, e.seq);
          this.apply(e.event, e.seq);
        }
        await this.run(decide(this.state, input, this.ctx()), input);
      },
      catchUp: async (subject, afterSeq) => {
        await this.catchUp(subject, afterSeq, 0);
      },
      run: (commands) => this.run(commands, undefined),
    };
  }

  /** Large prompts go to the object store; the event carries the key. */
  private async externalize(event: AgentEvent): Promise<AgentEvent> {
    if (event.type !== "task.created" || !("inline" in event.data.prompt) || !this.artifacts) return event;
    const text = event.data.prompt.inline;
    if (Buffer.byteLength(text) <= INLINE_LIMIT_BYTES) return event;
    const key = ArtifactKeys.basePrompt(event.task_id ?? event.id);
    const bytes = await this.artifacts.putText(key, text);
    return { ...event, data: { ...event.data, prompt: { ref: key, bytes } } };
  }
}
