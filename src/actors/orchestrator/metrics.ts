// The orchestrator's Prometheus series, recorded where it acts: every event its decisions stored
// (a duplicate or a dropped decision is not counted), every work item it dispatched, how long an
// input took, whether it leads, and what its state holds (active jobs, the most-spent budget).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { type AgentEvent, QueueName, TaskType, type WorkItem } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import { type OrchestratorInput, type OrchestratorState, queueFor } from "../../core/orchestrator/index.ts";
import { oncePerRegistry } from "../../observability/registry.ts";

/** What the gauges read at scrape time from each orchestrator sharing the registry. */
export type OrchestratorView = { state(): OrchestratorState; leading(): boolean };

/** Orchestrator inputs take from microseconds (an echo) to seconds (a slow append). */
const INPUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class OrchestratorMetrics {
  private readonly views = new Set<OrchestratorView>();
  private readonly events: Counter<"type">;
  private readonly created: Counter<"type" | "queue">;
  private readonly retries: Counter<"type" | "queue">;
  private readonly deadLetters: Counter<"type" | "queue">;
  private readonly dispatched: Counter<"queue" | "band">;
  private readonly jobsEnded: Counter<"reason">;
  private readonly iterations: Counter<"outcome">;
  private readonly inputs: Histogram<"kind">;
  /** Stuck work repaired by the reconciler, by kind of repair. */
  readonly repairs: Counter<"repair">;
  /** Appends that lost their expected-sequence race, by what followed. */
  readonly lostRaces: Counter<"outcome">;

  constructor(registry: Registry) {
    const registers = [registry];
    const views = this.views;
    this.events = new Counter({
      name: "agents_orchestrator_events_total",
      help: "Events the orchestrator's decisions recorded, by event type",
      labelNames: ["type"],
      registers,
    });
    this.created = new Counter({
      name: "agents_tasks_created_total",
      help: "Tasks created (task.created), by task type and queue: revisions are type reviser, continuations after a handoff type continuation",
      labelNames: ["type", "queue"],
      registers,
    });
    this.retries = new Counter({
      name: "agents_task_retries_total",
      help: "Retries scheduled after a failed attempt (task.retry_scheduled), by task type and queue",
      labelNames: ["type", "queue"],
      registers,
    });
    this.deadLetters = new Counter({
      name: "agents_dead_letters_total",
      help: "Tasks dead-lettered after their last attempt failed (task.dead_lettered), by task type and queue",
      labelNames: ["type", "queue"],
      registers,
    });
    this.dispatched = new Counter({
      name: "agents_work_dispatched_total",
      help: "Work items published on the work stream, by queue and priority band",
      labelNames: ["queue", "band"],
      registers,
    });
    this.jobsEnded = new Counter({
      name: "agents_jobs_completed_total",
      help: "Jobs completed (job.completed), by reason: all_done, budget, max_iterations or stopped",
      labelNames: ["reason"],
      registers,
    });
    this.iterations = new Counter({
      name: "agents_iterations_ended_total",
      help: "Iterations ended (job.iteration_ended), by outcome: passed, exhausted, failed or cancelled",
      labelNames: ["outcome"],
      registers,
    });
    this.inputs = new Histogram({
      name: "agents_orchestrator_input_duration_seconds",
      help: "Time to decide on one input and store what it decided, by input kind (event, submission, control)",
      labelNames: ["kind"],
      buckets: INPUT_BUCKETS,
      registers,
    });
    this.repairs = new Counter({
      name: "agents_reconciler_repairs_total",
      help: "Stuck work repaired by the leading orchestrator's reconciler (repair: redispatch, task_decided, job_decided, iterations_closed)",
      labelNames: ["repair"],
      registers,
    });
    this.lostRaces = new Counter({
      name: "agents_orchestrator_lost_races_total",
      help: "Orchestrator appends that lost their expected-sequence race and re-read the subject (outcome: redecided, retried, exists, failed)",
      labelNames: ["outcome"],
      registers,
    });
    new Gauge({
      name: "agents_orchestrator_leading",
      help: "1 while this orchestrator holds the lease and consumes, 0 while it stands by",
      registers,
      collect() {
        this.set([...views].some((v) => v.leading()) ? 1 : 0);
      },
    });
    new Gauge({
      name: "agents_orchestrator_active_jobs",
      help: "Jobs the orchestrator's state holds as active (accepted, not completed or cancelled)",
      registers,
      collect() {
        let n = 0;
        for (const v of views) for (const j of v.state().jobs.values()) n += Number(j.status === "active");
        this.set(n);
      },
    });
    new Gauge({
      name: "agents_budget_spent_ratio_max",
      help: "Highest spent / budget_usd among active jobs that have a budget (0 when none has)",
      registers,
      collect() {
        let max = 0;
        for (const v of views)
          for (const j of v.state().jobs.values()) {
            const budget = j.submission.budget_usd;
            if (j.status === "active" && budget !== undefined && budget > 0)
              max = Math.max(max, j.cost_usd / budget);
          }
        this.set(max);
      },
    });
    // Every route a task can take exists from the start, so increase() and alerts see the first one.
    for (const type of TaskType.options)
      for (const queue of new Set([queueFor(type, "standard"), queueFor(type, "heavy")])) {
        for (const c of [this.created, this.retries, this.deadLetters]) c.inc({ type, queue }, 0);
      }
    for (const queue of QueueName.options) this.dispatched.inc({ queue, band: "normal" }, 0);
  }

  /** Read this orchestrator's state and lease at every scrape (until it is forgotten). */
  watch(view: OrchestratorView): () => void {
    this.views.add(view);
    return () => this.views.delete(view);
  }

  /** An event the orchestrator decided was stored; `task` is its task's state before it. */
  recorded(event: AgentEvent, task: TaskState | undefined): void {
    this.events.inc({ type: event.type });
    switch (event.type) {
      case "task.created":
        this.created.inc({ type: event.data.task_type, queue: event.data.queue });
        return;
      case "task.retry_scheduled":
      case "task.dead_lettered": {
        if (!task) return;
        const labels = { type: task.created.task_type, queue: task.created.queue };
        (event.type === "task.retry_scheduled" ? this.retries : this.deadLetters).inc(labels);
        return;
      }
      case "job.completed":
        this.jobsEnded.inc({ reason: event.data.reason });
        return;
      case "job.iteration_ended":
        this.iterations.inc({ outcome: event.data.outcome });
        return;
      default:
        return;
    }
  }

  /** A work item was published. */
  dispatchedWork(item: WorkItem): void {
    this.dispatched.inc({ queue: item.queue, band: item.band });
  }

  /** One input was decided on and its decisions stored. */
  handled(kind: OrchestratorInput["kind"], seconds: number): void {
    this.inputs.observe({ kind }, seconds);
  }
}

/** The orchestrator metrics of a registry (one set per registry). */
export const orchestratorMetrics = oncePerRegistry((registry) => new OrchestratorMetrics(registry));
