// The orchestrator's adapter: hold the leader lease, rebuild state from the stream, then consume,
// decide and publish. Other orchestrators wait as standbys and take over when the lease frees up.
import { Registry } from "prom-client";
import { z } from "zod";
import { ConcurrencyError, errorMessage } from "../../core/errors.ts";
import { type AgentEvent, MSG_ID_HEADER, STREAM_EVENTS } from "../../core/events/index.ts";
import {
  type Command,
  type DecideConfig,
  decide,
  decodeInput,
  evolve,
  initialState,
  type OrchestratorInput,
  type OrchestratorState,
} from "../../core/orchestrator/index.ts";
import { ArtifactKeys, INLINE_LIMIT_BYTES } from "../../core/ports/artifact-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { Artifacts } from "../../nats/artifacts.ts";
import type { Connection } from "../../nats/connection.ts";
import { consumeLoop } from "../../nats/consumer.ts";
import { JetStreamEventStore } from "../../nats/event-store.ts";
import { Lease } from "../../nats/lease.ts";
import { StreamReader } from "../../nats/stream-reader.ts";
import { ackFloor, dispatchWork, ensureOrchestratorConsumer } from "../../nats/topology.ts";
import { type OrchestratorMetrics, orchestratorMetrics } from "./metrics.ts";
import { type Fold, foldRange, type SnapshotSettings, StateSnapshots, writeSnapshots } from "./snapshots.ts";
import { type Leader, serveTenures } from "./tenure.ts";

type OwnEcho = { kind: "own-echo" };
const OWN_ECHO: OwnEcho = { kind: "own-echo" };

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
  /** State snapshots written while leading. Default every 100 000 events, looked at every minute. */
  snapshots?: SnapshotSettings;
  clock?: () => number;
  /** Where the orchestrator's metrics are registered (the process's /metrics). Default: a private one. */
  registry?: Registry;
};

export class Orchestrator {
  state: OrchestratorState = initialState();
  private readonly events: JetStreamEventStore;
  /** Ids of own events already applied locally; skipped when they come back from the stream. */
  private applied = new Set<string>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private artifacts: Artifacts | undefined;
  private lease: Lease | undefined;
  private isLeading = false;
  /** Stream sequence the state is folded to (always an ack floor of the consumer). */
  private folded = 0;
  private readonly metrics: OrchestratorMetrics;
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
    this.applied = new Set();
    this.folded = 0;
    this.fromSnapshot = 0;
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

  /** Rebuild to the ack floor and start consuming; `consuming` ends when the signal aborts. */
  private async lead(signal: AbortSignal): Promise<{ consuming: Promise<void> }> {
    const floor = await ensureOrchestratorConsumer(this.o.nc, this.name);
    this.artifacts = await Artifacts.open(this.o.nc);
    const t0 = Date.now();
    const { from, events } = await this.foldTo(floor);
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
    const consuming = consumeLoop(this.o.nc, {
      stream: STREAM_EVENTS,
      consumer: this.name,
      schema: z.custom<OrchestratorInput | OwnEcho>(),
      decode: (m) => {
        // Our own events come back from the stream already applied: skip them before decoding.
        const id = m.header(MSG_ID_HEADER);
        if (id && this.applied.delete(id)) return { ok: true, value: OWN_ECHO };
        return decodeInput(m, this.o.maxSubmitBytes ?? 1_000_000);
      },
      handler: async (input) => {
        if (input.kind !== "own-echo") await this.handle(input);
        return undefined;
      },
      log: this.o.log,
      signal,
      // One input at a time (the state is shared), but pulled ahead in batches; decisions are
      // idempotent, so an ack need not wait for the server's confirmation.
      concurrency: 1,
      prefetch: 256,
      fastAck: true,
    });
    const ended = async () => {
      stopWriting.abort();
      await snapshotting;
    };
    return {
      consuming: consuming.then(ended, async (err: unknown) => {
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
      this.apply(input.event, input.seq);
    }
    await this.run(decide(this.state, input, this.ctx()));
    this.metrics.handled(input.kind, (performance.now() - t0) / 1000);
  }

  private ctx() {
    return { now: (this.o.clock ?? Date.now)(), config: this.o.config };
  }

  /** Execute commands in order; an own event is applied and decided on at once. */
  private async run(commands: Command[]): Promise<void> {
    for (const c of commands) {
      if (c.kind === "dispatch") {
        const ack = await dispatchWork(this.events, c.item);
        if (!ack.duplicate) this.metrics.dispatchedWork(c.item);
        continue;
      }
      const event = await this.externalize(c.event);
      try {
        const ack = await this.events.append(c.subject, event, { expectedSeq: c.expectedSeq });
        if (ack.duplicate) continue;
        // Read before applying: a final event may let the state forget the task.
        const task = event.task_id ? this.state.tasks.get(event.task_id) : undefined;
        this.applied.add(event.id);
        this.apply(event, ack.seq);
        this.metrics.recorded(event, task);
        this.o.log.debug(
          { type: event.type, job_id: event.job_id, task_id: event.task_id, seq: ack.seq },
          "recorded",
        );
        await this.run(decide(this.state, { kind: "event", seq: ack.seq, event }, this.ctx()));
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        this.o.log.debug({ subject: c.subject, type: event.type }, "stream moved on; decision dropped");
      }
    }
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
