// The worker process: pulls work by band from the lanes of the routes its executors serve, claims
// tasks with optimistic concurrency, runs agents, heartbeats, publishes its status (executors'
// credentials, holds, limits), and obeys stop / resume / cancel / pause published on agents.control.*.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Registry } from "prom-client";
import { errorMessage } from "../../core/errors.ts";
import {
  laneKeyOfSubject,
  legacyWorkLanes,
  newEvent,
  type QueueName,
  STREAM_WORK,
  Subjects,
  type WorkItem,
  workConsumerName,
  workLanes,
} from "../../core/events/index.ts";
import { type ModelLimits, nextUtcDay } from "../../core/limits/index.ts";
import type { ArtifactStore } from "../../core/ports/artifact-store.ts";
import type { CriticJudge } from "../../core/ports/critic.ts";
import type { Delivery } from "../../core/ports/delivery.ts";
import type { EventStore } from "../../core/ports/event-store.ts";
import type { Executor } from "../../core/ports/executor.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { ModelRoutes, Route } from "../../core/providers/routes.ts";
import { type Lane, laneKey } from "../../core/worker/lanes.ts";
import type { WorkerStatus } from "../../core/worker/status.ts";
import { Artifacts } from "../../nats/artifacts.ts";
import { type Connection, isTransient, listen } from "../../nats/connection.ts";
import { JetStreamEventStore } from "../../nats/event-store.ts";
import { LanePoller } from "../../nats/lane-poller.ts";
import { JetStreamLimitsStore } from "../../nats/limits-store.ts";
import { patientArtifacts, patientEvents } from "../../nats/patient.ts";
import { pendingOn } from "../../nats/topology.ts";
import {
  deleteWorkerStatus,
  openWorkerStatuses,
  putWorkerStatus,
  WORKER_STATUS_EVERY_MS,
} from "../../nats/worker-status.ts";
import type { ArtifactLimits } from "./artifacts.ts";
import { ControlListener } from "./control-listener.ts";
import { WorkerExecutors } from "./executors.ts";
import { Heartbeat } from "./heartbeat.ts";
import { workerMetrics } from "./metrics.ts";
import { ModelLimiter } from "./model-limiter.ts";
import type { RunnerDeps } from "./runner-types.ts";
import { type RunningHandle, stop } from "./task-handle.ts";
import { handleWork, type WorkContext } from "./work-handler.ts";

export type WorkerOptions = {
  nc: Connection;
  log: Logger;
  /** The executors this worker hosts, by the route each serves. */
  executors: ReadonlyMap<Route, Executor>;
  /** How models route (user entries; defaults otherwise). */
  routes?: ModelRoutes;
  queues: QueueName[];
  /** Agents run at once by this worker. */
  concurrency: number;
  dataDir: string;
  /** ms between SIGTERM and SIGKILL when an agent is stopped. */
  killGraceMs: number;
  /** Ack wait of the work consumers (ms); heartbeats go out at a third of it. */
  ackWaitMs: number;
  /** Each model's limits for the whole fleet (requests and tokens per window, calls at once). */
  modelLimits?: ModelLimits;
  /** The window rpm and tpm limits count over (ms). Default a minute. */
  limitsWindowMs?: number;
  /** Limit models without a set rpm/tpm by what their providers' headers advertise. Default on. */
  learnLimits?: boolean;
  /** ms between task.progress events of a running task. Default 10 s. */
  progressEveryMs?: number;
  /** How long a write (an output, an outcome) keeps retrying while NATS is away (ms). Default 2 min. */
  savePatienceMs?: number;
  workerId?: string;
  /** The critic role: judges critic tasks' answers, with this worker's stores and registry. */
  critic: (stores: { events: EventStore; artifacts: ArtifactStore }, registry: Registry) => CriticJudge;
  /** Where the worker's metrics are registered (the process's /metrics). Default: a private one. */
  registry?: Registry;
  /** Bounds on the files kept from a task folder (default 100 files, 20 MiB). */
  artifactLimits?: ArtifactLimits;
  /** ms between checks of an executor whose credentials failed (default 60 s). */
  authRecheckMs?: number;
};

export class Worker {
  readonly id: string;
  readonly running = new Map<string, RunningHandle>();
  /** One for every work item: the running tasks, and whether to take no more. */
  private readonly work: WorkContext = {
    running: this.running,
    isStopped: () => this.control.stopped || this.closing,
  };
  private heartbeat: Heartbeat | undefined;
  private readonly inflight = new Set<Promise<void>>();
  /** Slots promised to the pull request in flight: its messages are on their way, not yet in `inflight`. */
  private reserved = 0;
  private readonly control: ControlListener;
  private closing = false;
  private wakeUp: (() => void) | undefined;
  /** A wake-up came while the loop was not waiting (it was pulling): the next wait returns at once. */
  private woken = false;
  private loop: Promise<void> | undefined;
  private wakeSubs: Array<{ close(): void }> = [];
  private deps: RunnerDeps | undefined;
  private poller: LanePoller | undefined;
  private executors: WorkerExecutors | undefined;
  /** Lanes from before routing that still held work when this worker started. */
  private legacy: Lane[] = [];
  private readonly startedAt = new Date().toISOString();
  private statusTimer: NodeJS.Timeout | undefined;
  private statusKv: Awaited<ReturnType<typeof openWorkerStatuses>> | undefined;
  private publishing: Promise<void> = Promise.resolve();
  private limits: JetStreamLimitsStore | undefined;

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
    const stream = new JetStreamEventStore(this.o.nc);
    const log = this.o.log.child({ worker_id: this.id });
    const registry = this.o.registry ?? new Registry();
    const metrics = workerMetrics(registry);
    metrics.serving(this.o.queues, this.o.concurrency);
    const executors = new WorkerExecutors(
      this.o.executors,
      log,
      () => {
        this.publishStatus();
        this.wake();
      },
      this.o.authRecheckMs ?? 60_000,
    );
    this.executors = executors;
    const limits = await JetStreamLimitsStore.open(this.o.nc, log);
    const modelLimits = this.o.modelLimits ?? new Map();
    this.limits = limits;
    // A finished agent's output and outcome wait for NATS to come back rather than being lost.
    const patience = {
      patienceMs: this.o.savePatienceMs ?? 120_000,
      log,
      givingUp: () => this.closing,
    };
    const events = patientEvents(stream, patience);
    const artifacts = patientArtifacts(await Artifacts.open(this.o.nc), patience);
    this.deps = {
      events,
      artifacts,
      executors,
      routes: this.o.routes ?? [],
      artifactLimits: this.o.artifactLimits ?? { maxFiles: 100, maxBytes: 20 * 1_048_576 },
      models: new ModelLimiter(limits, modelLimits, log, {
        windowMs: this.o.limitsWindowMs,
        learn: this.o.learnLimits,
        onWaited: (model, reason, seconds) => metrics.waited(model, reason, seconds),
        onDayUse: (model, day) => metrics.dayUsed(model, day.usd, day.tokens),
        onSpent: (model, day) => {
          const by = day.spent_by ?? "usd";
          metrics.budgetSpent(model, by);
          const budget = modelLimits.get(model)?.day;
          const data = {
            model,
            day: day.date,
            by,
            usd: day.usd,
            tokens: day.tokens,
            ...(budget?.usd !== undefined ? { budget_usd: budget.usd } : {}),
            ...(budget?.tokens !== undefined ? { budget_tokens: budget.tokens } : {}),
            until: new Date(nextUtcDay(day.spent_at ?? Date.now())).toISOString(),
            worker_id: this.id,
          };
          log.warn(data, "model day budget spent: no new calls of it until the next UTC day");
          // One event per model and day: its id dedups a second writer's within the stream's window.
          const id = `day-budget:${model}:${day.date}`.slice(0, 128);
          events
            .append(Subjects.limits, newEvent("model.day_budget_spent", data, { id, now: Date.now() }))
            .catch((err: unknown) =>
              log.warn({ model, err: errorMessage(err) }, "day budget event not recorded"),
            );
        },
      }),
      critic: this.o.critic({ events, artifacts }, registry),
      log,
      metrics,
      workerId: this.id,
      dataDir: this.o.dataDir,
      killGraceMs: this.o.killGraceMs,
    };
    this.heartbeat = new Heartbeat(this.running, {
      ackWaitMs: this.o.ackWaitMs,
      progressEveryMs: this.o.progressEveryMs ?? 10_000,
      log,
    });
    this.heartbeat.start();
    const poller = new LanePoller(this.o.nc, { events: stream, log }, (d) => this.onDelayed(d));
    this.poller = poller;
    await this.control.start(stream);
    this.statusKv = await openWorkerStatuses(this.o.nc);
    await executors.start();
    this.legacy = await this.legacyLanesWithWork();
    // Only the served queues' subjects: a worker identity may not read other queues' work.
    this.wakeSubs = this.o.queues.flatMap((q) =>
      [Subjects.workOf(q), Subjects.legacyWorkOf(q)].map((subject) =>
        listen(this.o.nc, subject, (s) => {
          poller.noticePublish(s);
          this.wake();
        }),
      ),
    );
    this.publishStatus();
    this.statusTimer = setInterval(() => this.publishStatus(), WORKER_STATUS_EVERY_MS);
    this.loop = this.fetchLoop();
    log.info(
      {
        queues: this.o.queues,
        concurrency: this.o.concurrency,
        routes: Object.fromEntries([...this.o.executors].map(([r, e]) => [r, e.name])),
      },
      "worker started",
    );
  }

  /** What this worker publishes about itself. */
  status(): WorkerStatus {
    return {
      worker_id: this.id,
      host: hostname(),
      pid: process.pid,
      started_at: this.startedAt,
      updated_at: new Date().toISOString(),
      queues: this.o.queues,
      concurrency: this.o.concurrency,
      running: this.running.size,
      stopped: this.control.stopped,
      executors: this.executors?.statuses() ?? [],
    };
  }

  /** Put the status in the workers bucket (one put at a time; a failure is logged, the next refresh retries). */
  private publishStatus(): void {
    const kv = this.statusKv;
    if (!kv || this.closing) return;
    this.publishing = this.publishing
      .then(() => putWorkerStatus(kv, this.status()))
      .catch((err: unknown) => this.o.log.warn({ err: errorMessage(err) }, "worker status not published"));
  }

  /** Lanes from before routing that hold messages (an upgrade from an earlier version): drained too. */
  private async legacyLanesWithWork(): Promise<Lane[]> {
    const found: Lane[] = [];
    for (const lane of legacyWorkLanes().filter((l) => this.o.queues.includes(l.queue))) {
      const pending = await pendingOn(this.o.nc, STREAM_WORK, workConsumerName(lane));
      if (pending > 0) found.push(lane);
    }
    if (found.length > 0) this.o.log.info({ lanes: found.length }, "draining work dispatched before routing");
    return found;
  }

  /** Stop taking work, return running tasks to the queue (interrupted), and wait for them. */
  async stop(): Promise<void> {
    this.closing = true;
    this.wake();
    for (const h of this.running.values()) stop(h, "shutdown");
    await this.loop;
    // A pull standing open may still bring an item (handled as stopping: put back at once).
    await this.poller?.settle();
    await Promise.allSettled(this.inflight);
    this.heartbeat?.stop();
    for (const sub of this.wakeSubs) sub.close();
    await this.control.close();
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.executors?.stop();
    await this.publishing;
    if (this.statusKv) await deleteWorkerStatus(this.statusKv, this.id).catch(() => undefined);
    this.deps?.models.close();
    await this.limits?.close();
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Wait for a wake-up, or `ms`; at once when one came since the loop last looked (none is lost). */
  private waitWake(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
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

  /** The lanes to pull from: the routes whose executors take work now, the queues served and not paused. */
  private lanes(): Lane[] {
    const ex = this.executors;
    if (!ex) return [];
    const now = Date.now();
    const routes = ex.routes.filter((r) => ex.available(r, now));
    return [...workLanes(routes), ...this.legacy].filter(
      (l) => this.o.queues.includes(l.queue) && !this.control.paused.has(l.queue),
    );
  }

  /** Slots free for new work: none when stopped or closing, else the concurrency less what is in flight or promised. */
  private free(): number {
    // In-flight work items, not running tasks: a task is only "running" after its claim, so
    // counting running tasks lets the loop fetch (and start) more than `concurrency` at once.
    if (this.control.stopped || this.closing) return 0;
    return this.o.concurrency - this.inflight.size - this.reserved - (this.poller?.standingPulls ?? 0);
  }

  private async fetchLoop(): Promise<void> {
    while (!this.closing) {
      // What follows looks at everything: only wake-ups from here on count for the next wait.
      this.woken = false;
      try {
        const free = this.free();
        if (free < 1 || !this.poller) {
          await this.waitWake(1000);
          continue;
        }
        // One pull request for every free slot: each message that arrives turns its slot's promise
        // into a work item in flight.
        this.reserved = free;
        let got = 0;
        try {
          got = await this.poller.take(this.lanes(), free, (d) => {
            this.reserved--;
            this.dispatch(d);
          });
        } finally {
          this.reserved = 0;
        }
        if (got === 0) {
          // Nothing seems to wait anywhere: let the server push the next item of a lately busy lane
          // (one slot is kept for the loop's own pulls, so a worker of one slot never stands).
          this.poller.stand(
            this.lanes(),
            this.free() - 1,
            (d) => this.fromStanding(d),
            () => this.wake(),
          );
          await this.waitWake(250);
        }
      } catch (err) {
        this.o.log.warn({ err: errorMessage(err) }, "fetching work failed; retrying");
        await this.waitWake(1000);
      }
    }
  }

  /** An item a standing pull brought: its slot was held for it, unless its lane stopped being served meanwhile. */
  private fromStanding(d: Delivery<WorkItem>): void {
    const key = laneKeyOfSubject(d.subject);
    if (this.lanes().some((l) => laneKey(l) === key)) this.dispatch(d);
    else d.nak(500);
  }

  /** A delayed item found by a background poll: run it if there is room, else put it back. */
  private onDelayed(d: Delivery<WorkItem>): void {
    if (this.free() > 0) this.dispatch(d);
    else d.nak(500);
  }

  private dispatch(d: Delivery<WorkItem>): void {
    const deps = this.deps as RunnerDeps;
    this.poller?.hold(d.subject, 1);
    const p = handleWork(deps, d, this.work)
      .catch((err) => {
        // NATS away (a restart, a blip): the message comes back by itself, nothing is lost.
        const fields = { err: errorMessage(err), subject: d.subject };
        if (isTransient(err)) deps.log.warn(fields, "work item left for redelivery: NATS unreachable");
        else deps.log.error(fields, "work item failed");
      })
      .finally(() => {
        this.poller?.hold(d.subject, -1);
        this.inflight.delete(p);
        this.wake();
      });
    this.inflight.add(p);
  }
}
