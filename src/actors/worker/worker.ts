// The worker process: pulls work by band, claims tasks with optimistic concurrency, runs agents,
// heartbeats, and obeys stop / resume / cancel / pause published on agents.control.*.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type Consumer, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { Artifacts } from "../../artifacts/index.ts";
import { errorMessage } from "../../errors/index.ts";
import {
  EventPublisher,
  type QueueName,
  STREAM_WORK,
  Subjects,
  workConsumerName,
  workLanes,
} from "../../events/index.ts";
import type { Executor } from "../../executors/index.ts";
import type { Logger } from "../../observability/logger.ts";
import { ControlListener } from "./control-listener.ts";
import { type Lane, LaneScheduler, laneKey } from "./lanes.ts";
import { ModelGate } from "./model-gate.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";
import { stop } from "./task-handle.ts";
import { handleWork } from "./work-handler.ts";

export type WorkerOptions = {
  nc: NatsConnection;
  log: Logger;
  executor: Executor;
  queues: QueueName[];
  /** Agents run at once by this worker. */
  concurrency: number;
  dataDir: string;
  /** ms between SIGTERM and SIGKILL when an agent is stopped. */
  killGraceMs: number;
  /** Ack wait of the work consumers (ms); heartbeats go out at a third of it. */
  ackWaitMs: number;
  modelLimits?: ReadonlyMap<string, number>;
  /** ms between task.progress events of a running task. Default 10 s. */
  progressEveryMs?: number;
  workerId?: string;
};

export class Worker {
  readonly id: string;
  readonly running = new Map<string, TaskHandle>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly scheduler = new LaneScheduler();
  private readonly consumers = new Map<string, Consumer>();
  private readonly control: ControlListener;
  private closing = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private wakeSub: Subscription | undefined;
  private deps: RunnerDeps | undefined;
  private lastDelayedPoll = 0;
  /** Work messages held per lane key ("queue.band"). */
  private readonly held = new Map<string, number>();

  constructor(private readonly o: WorkerOptions) {
    this.id = o.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.control = new ControlListener(o.nc, o.log, {
      onStop: () => {
        for (const h of this.running.values()) this.stopTask(h, "stop");
      },
      onCancel: (c) => {
        for (const h of this.running.values()) {
          if (h.task.task_id === c.task_id || h.task.job_id === c.job_id) this.stopTask(h, "cancel");
        }
      },
      onChange: () => this.wake(),
    });
  }

  /** Whether an emergency stop is in force. */
  get stopped(): boolean {
    return this.control.stopped;
  }

  /** Subscribe to control and wake-ups, then pull work until stopped. */
  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.o.nc);
    this.deps = {
      publisher: new EventPublisher(this.o.nc),
      jsm,
      artifacts: await Artifacts.open(this.o.nc),
      executor: this.o.executor,
      models: new ModelGate(this.o.modelLimits ?? new Map()),
      log: this.o.log.child({ worker_id: this.id }),
      workerId: this.id,
      dataDir: this.o.dataDir,
      killGraceMs: this.o.killGraceMs,
    };
    await this.control.start(jsm);
    this.wakeSub = this.o.nc.subscribe(Subjects.workAll, { callback: () => this.wake() });
    this.loop = this.fetchLoop();
    this.deps.log.info(
      { queues: this.o.queues, concurrency: this.o.concurrency, executor: this.o.executor.name },
      "worker started",
    );
  }

  /** Stop taking work, return running tasks to the queue (interrupted), and wait for them. */
  async stop(): Promise<void> {
    this.closing = true;
    this.wake();
    for (const h of this.running.values()) this.stopTask(h, "shutdown");
    await this.loop;
    await Promise.allSettled(this.inflight);
    this.wakeSub?.unsubscribe();
    this.control.close();
  }

  private stopTask(h: TaskHandle, reason: "stop" | "cancel" | "shutdown"): void {
    stop(h, reason);
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private waitWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private lanes(): Lane[] {
    return workLanes().filter((l) => this.o.queues.includes(l.queue) && !this.control.paused.has(l.queue));
  }

  private async consumer(lane: Lane): Promise<Consumer> {
    const key = laneKey(lane);
    let c = this.consumers.get(key);
    if (!c) {
      c = await jetstream(this.o.nc).consumers.get(STREAM_WORK, workConsumerName(lane.queue, lane.band));
      this.consumers.set(key, c);
    }
    return c;
  }

  private async fetchLoop(): Promise<void> {
    while (!this.closing) {
      try {
        // In-flight work items, not running tasks: a task is only "running" after its claim, so
        // counting running tasks lets the loop fetch (and start) more than `concurrency` at once.
        if (this.control.stopped || this.inflight.size >= this.o.concurrency) {
          await this.waitWake(1000);
          continue;
        }
        const msg = await this.nextMessage();
        if (msg) this.dispatch(msg);
        else await this.waitWake(1000);
      } catch (err) {
        this.o.log.warn({ err: errorMessage(err) }, "fetching work failed; retrying");
        await this.waitWake(1000);
      }
    }
  }

  /** One message from the lane the scheduler picks among lanes with work, or null. */
  private async nextMessage(): Promise<JsMsg | null> {
    const deps = this.deps as RunnerDeps;
    const lanes = this.lanes();
    const infos = await Promise.all(
      lanes.map((l) =>
        deps.jsm.consumers.info(STREAM_WORK, workConsumerName(l.queue, l.band)).catch(() => null),
      ),
    );
    const withWork = lanes.filter((_, i) => (infos[i]?.num_pending ?? 0) > 0);
    const lane = this.scheduler.pick(withWork);
    if (lane) return (await this.consumer(lane)).next({ expires: 1000 });
    // Items put back with a delay (rate limits, backoff) are not "pending"; poll for them now and then.
    // Only ack-pending items this worker does not hold itself can be waiting for redelivery.
    const delayed = lanes.filter((l, i) => (infos[i]?.num_ack_pending ?? 0) > this.heldIn(l));
    if (delayed.length === 0 || Date.now() - this.lastDelayedPoll < 1000) return null;
    const pick = delayed[Math.floor(Math.random() * delayed.length)] as Lane;
    const msg = await (await this.consumer(pick)).next({ expires: 1000 });
    // Found one: others may be due too (a resume after a stop), so poll again at once.
    this.lastDelayedPoll = msg ? 0 : Date.now();
    return msg;
  }

  /** Work messages of a lane this worker holds right now. */
  private heldIn(lane: Lane): number {
    return this.held.get(laneKey(lane)) ?? 0;
  }

  private dispatch(msg: JsMsg): void {
    const lane = msg.subject.split(".").slice(2, 4).join(".");
    this.held.set(lane, (this.held.get(lane) ?? 0) + 1);
    const deps = this.deps as RunnerDeps;
    const p = handleWork(deps, msg, {
      running: this.running,
      ackWaitMs: this.o.ackWaitMs,
      progressEveryMs: this.o.progressEveryMs ?? 10_000,
      isStopped: () => this.control.stopped || this.closing,
    })
      .catch((err) => deps.log.error({ err: errorMessage(err), subject: msg.subject }, "work item failed"))
      .finally(() => {
        this.held.set(lane, Math.max((this.held.get(lane) ?? 1) - 1, 0));
        this.inflight.delete(p);
        this.wake();
      });
    this.inflight.add(p);
  }
}
