// The reconciler of the leading orchestrator: at takeover and then on a timer it asks the core's
// rules what is stuck (findRepairs) and repairs it, in turn with consumed input. A repair is a
// re-dispatch (its own msgID), or the stored event it concerns decided again (decisions are
// idempotent: an event decided twice stores its follow-up once), or, when deciding again moved
// nothing, the stalled iterations ended. Each repair that stored something is counted.
import { setTimeout as sleep } from "node:timers/promises";
import type { Counter } from "prom-client";
import { errorMessage } from "../../core/errors.ts";
import { Subjects } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import {
  type Command,
  closeStalled,
  type DecideContext,
  eventsToRedecide,
  findRepairs,
  type OrchestratorState,
  type Repair,
  tasksOfOpenIterations,
} from "../../core/orchestrator/index.ts";
import type { StoredEvent } from "../../core/ports/event-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Connection } from "../../nats/connection.ts";
import type { JetStreamEventStore } from "../../nats/event-store.ts";
import { workPerLane } from "../../nats/topology.ts";

/** What the reconciler needs from its orchestrator. */
export type ReconcilerHost = {
  nc: Connection;
  events: JetStreamEventStore;
  /** Run after the input being handled (and before the next). */
  inTurn(fn: () => Promise<void>): Promise<void>;
  state(): OrchestratorState;
  ctx(): DecideContext;
  /** Events and work items stored so far. */
  stored(): number;
  /** Decide on a stored event as if it had just been consumed (applying it first if it is new). */
  decideEvent(e: StoredEvent): Promise<void>;
  /** Apply (and decide on) what a subject holds after `afterSeq` that was not seen yet. */
  catchUp(subject: string, afterSeq: number): Promise<void>;
  run(commands: Command[]): Promise<void>;
};

export type ReconcilerOptions = {
  everyMs: number;
  afterMs: number;
  log: Logger;
  repairs: Counter<"repair">;
};

export class Reconciler {
  /** Stalled jobs decided again once, at the job's `updated_at`: still stalled after that, they are closed. */
  private redecided = new Map<string, number>();

  constructor(
    private readonly h: ReconcilerHost,
    private readonly o: ReconcilerOptions,
  ) {}

  /** Look at takeover, then every `everyMs`, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.h.inTurn(() => this.pass());
      } catch (err) {
        if (signal.aborted) return;
        this.o.log.warn({ err: errorMessage(err) }, "reconciler pass failed; trying again next time");
      }
      await sleep(this.o.everyMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async pass(): Promise<void> {
    const ctx = this.h.ctx();
    const laneMessages = await workPerLane(this.h.nc);
    const repairs = findRepairs(this.h.state(), { now: ctx.now, afterMs: this.o.afterMs, laneMessages });
    for (const r of repairs) {
      const before = this.h.stored();
      const kind = await this.repair(r);
      if (kind && this.h.stored() > before) {
        this.o.repairs.inc({ repair: kind });
        this.o.log.warn({ repair: kind, ...idsOf(r) }, "stuck work repaired");
      }
    }
  }

  /** Carry out one repair; says which kind of repair it turned out to be. */
  private async repair(r: Repair): Promise<string | undefined> {
    switch (r.kind) {
      case "redispatch":
        await this.h.run([r.command]);
        return "redispatch";
      case "redecide_task": {
        const subject = Subjects.task(r.task_id);
        const task = this.h.state().tasks.get(r.task_id);
        if (!task) return undefined;
        // Anything stored after what we know is decided first; if the task is still failed, its
        // failure is decided again.
        await this.h.catchUp(subject, task.seq);
        if (this.h.state().tasks.get(r.task_id)?.status !== TaskStatus.Failed) return "task_decided";
        const last = await this.lastStored(subject);
        if (last) await this.h.decideEvent(last);
        return "task_decided";
      }
      case "redecide_job":
        return this.redecideJob(r.job_id);
      default: {
        const never: never = r;
        throw new Error(`unknown repair ${JSON.stringify(never)}`);
      }
    }
  }

  private async redecideJob(jobId: string): Promise<string | undefined> {
    const state = this.h.state();
    const job = state.jobs.get(jobId);
    if (!job) return undefined;
    if (this.redecided.get(jobId) === job.updated_at) {
      // Deciding its latest events again moved nothing: no task is left to finish what is open.
      this.redecided.delete(jobId);
      await this.h.run(closeStalled(job, state, this.h.ctx()));
      return "iterations_closed";
    }
    this.redecided.set(jobId, job.updated_at);
    const jobEvents: StoredEvent[] = [];
    for await (const e of this.h.events.read(Subjects.job(jobId))) jobEvents.push(e);
    const lastOfTask = new Map<string, StoredEvent>();
    for (const id of tasksOfOpenIterations(job, state)) {
      const last = await this.lastStored(Subjects.task(id));
      if (last) lastOfTask.set(id, last);
    }
    for (const e of eventsToRedecide(job, state, jobEvents, lastOfTask)) await this.h.decideEvent(e);
    return "job_decided";
  }

  /** The last valid event of a (short) subject at its own sequence, garbage after it ignored. */
  private async lastStored(subject: string): Promise<StoredEvent | undefined> {
    let last: StoredEvent | undefined;
    for await (const e of this.h.events.read(subject)) last = e;
    return last;
  }
}

function idsOf(r: Repair): Record<string, string> {
  return r.kind === "redecide_job" ? { job_id: r.job_id } : { task_id: r.task_id };
}
