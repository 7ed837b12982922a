// The worker process: pulls work by band, claims tasks with optimistic concurrency, runs agents,
// heartbeats, and obeys stop / resume / cancel / pause published on agents.control.*.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { errorMessage } from "../../core/errors.ts";
import { type QueueName, Subjects } from "../../core/events/index.ts";
import type { Lane } from "../../core/worker/lanes.ts";
import type { Executor } from "../../executors/index.ts";
import { Artifacts } from "../../nats/artifacts.ts";
import { EventPublisher, workLanes } from "../../nats/index.ts";
import { LanePoller } from "../../nats/lane-poller.ts";
import type { Logger } from "../../observability/logger.ts";
import { ControlListener } from "./control-listener.ts";
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
  private readonly control: ControlListener;
  private closing = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private wakeSub: Subscription | undefined;
  private deps: RunnerDeps | undefined;
  private poller: LanePoller | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.id = o.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.control = new ControlListener(o.nc, o.log, {
      onStop: () => {
        for (const h of this.running.values()) stop(h, "stop");
      },
      onCancel: (c) => {
        for (const h of this.running.values()) {
          if (h.task.task_id === c.task_id || h.task.job_id === c.job_id) stop(h, "cancel");
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
    const poller = new LanePoller(jetstream(this.o.nc), jsm, (msg) => this.onDelayed(msg));
    this.poller = poller;
    await this.control.start(jsm);
    this.wakeSub = this.o.nc.subscribe(Subjects.workAll, {
      callback: (_err, m) => {
        poller.noticePublish(m.subject);
        this.wake();
      },
    });
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
    for (const h of this.running.values()) stop(h, "shutdown");
    await this.loop;
    await Promise.allSettled(this.inflight);
    this.wakeSub?.unsubscribe();
    this.control.close();
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

  /** Free to take work: not stopped, not closing, and fewer in-flight items than the concurrency. */
  private canTake(): boolean {
    // In-flight work items, not running tasks: a task is only "running" after its claim, so
    // counting running tasks lets the loop fetch (and start) more than `concurrency` at once.
    return !this.control.stopped && !this.closing && this.inflight.size < this.o.concurrency;
  }

  private async fetchLoop(): Promise<void> {
    while (!this.closing) {
      try {
        if (!this.canTake()) {
          await this.waitWake(1000);
          continue;
        }
        const msg = await this.poller?.next(this.lanes());
        if (msg) this.dispatch(msg);
        else await this.waitWake(250);
      } catch (err) {
        this.o.log.warn({ err: errorMessage(err) }, "fetching work failed; retrying");
        await this.waitWake(1000);
      }
    }
  }

  /** A delayed item found by a background poll: run it if there is room, else put it back. */
  private onDelayed(msg: JsMsg): void {
    if (this.canTake()) this.dispatch(msg);
    else msg.nak(500);
  }

  private dispatch(msg: JsMsg): void {
    const deps = this.deps as RunnerDeps;
    this.poller?.hold(msg.subject, 1);
    const p = handleWork(deps, msg, {
      running: this.running,
      ackWaitMs: this.o.ackWaitMs,
      progressEveryMs: this.o.progressEveryMs ?? 10_000,
      isStopped: () => this.control.stopped || this.closing,
    })
      .catch((err) => deps.log.error({ err: errorMessage(err), subject: msg.subject }, "work item failed"))
      .finally(() => {
        this.poller?.hold(msg.subject, -1);
        this.inflight.delete(p);
        this.wake();
      });
    this.inflight.add(p);
  }
}
