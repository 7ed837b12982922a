// An in-memory stand-in for the orchestrator's adapter: runs the pure decide/evolve loop the way
// orchestrator.ts does (append → evolve → decide again), with fake stream sequences, optimistic
// concurrency per subject, idempotent event ids, and a fake clock. Workers and the critic are
// simulated by the test, which feeds their events in as external input.

import {
  type AgentEvent,
  type AgentEventType,
  type EventData,
  type EventOf,
  newEvent,
  parseWith,
  Subjects,
  Submission,
  type WorkItem,
} from "../../../src/core/events/index.ts";
import { jobIdFor } from "../../../src/core/ids.ts";
import type { TaskState } from "../../../src/core/lifecycle/index.ts";
import type { Command, ControlCommand, DecideConfig } from "../../../src/core/orchestrator/commands.ts";
import { decide } from "../../../src/core/orchestrator/decide.ts";
import { evolve, initialState, type OrchestratorState } from "../../../src/core/orchestrator/state.ts";
import { DEFAULT_PRICES } from "../../../src/core/providers/pricing.ts";
import { VALIDATOR_CATALOG } from "../../../src/validation/index.ts";

export const TEST_CONFIG: DecideConfig = {
  defaultModel: "sonnet",
  maxAttempts: 3,
  retryBaseMs: 1000,
  maxContinuations: 2,
  maxRevisions: 2,
  taskTimeoutMs: 60_000,
  validators: VALIDATOR_CATALOG,
  routes: [],
  prices: DEFAULT_PRICES,
  allowAgentPermissions: false,
};

/** One entry of what happened, in order: a stored event or a dispatched work item. */
export type Trace =
  | { kind: "event"; seq: number; subject: string; event: AgentEvent }
  | { kind: "dispatch"; item: WorkItem };

export type Scores = { compliance: number; uniqueness?: number; quality: number; critique?: string };

export class Simulator {
  readonly state: OrchestratorState = initialState();
  readonly trace: Trace[] = [];
  now = Date.parse("2025-01-01T00:00:00.000Z");
  private seq = 0;
  private readonly lastBySubject = new Map<string, number>();
  private readonly ids = new Set<string>();

  constructor(readonly config: DecideConfig = TEST_CONFIG) {}

  // --- inputs -------------------------------------------------------------------------------------

  /** A message on agents.submit; returns the job id its key names. */
  submit(body: Record<string, unknown>, key = "key-1"): string {
    const seq = this.store(Subjects.submit);
    const parsed = parseWith(Submission, body);
    const input = {
      kind: "submit" as const,
      source: "nats" as const,
      seq,
      parsed,
      excerpt: JSON.stringify(body).slice(0, 500),
      key,
    };
    this.run(decide(this.state, input, this.ctx()));
    return jobIdFor(key);
  }

  /** A message on agents.control.*. */
  control(body: ControlCommand): void {
    const seq = this.store(`agents.control.${body.type}`);
    this.run(decide(this.state, { kind: "control", seq, body }, this.ctx()));
  }

  /** An event another actor (worker, critic) stored: applied, then decided on. */
  external(subject: string, event: AgentEvent): void {
    this.tick();
    const seq = this.store(subject, event);
    evolve(this.state, event, seq);
    this.run(decide(this.state, { kind: "event", seq, event }, this.ctx()));
  }

  // --- simulated workers ------------------------------------------------------------------------

  task(taskId: string): TaskState {
    const t = this.state.tasks.get(taskId);
    if (!t) throw new Error(`no task ${taskId}`);
    return t;
  }

  /** A worker starts the task's current attempt. */
  start(taskId: string): void {
    const t = this.task(taskId);
    const data = {
      attempt: Math.max(t.attempt, 1),
      worker_id: "w1",
      executor: "fake",
      model: t.model,
      reclaimed: false,
    };
    this.taskEvent(taskId, "task.started", data);
  }

  /** Start, then complete with an output and a cost. */
  complete(taskId: string, cost = 0.001, output = `output of ${taskId}`): void {
    this.start(taskId);
    this.taskEvent(taskId, "task.completed", this.runOutcome(taskId, cost, output));
  }

  /** Start, then fail. */
  fail(taskId: string, error = "exit code 1", cost = 0): void {
    this.start(taskId);
    const t = this.task(taskId);
    const data = { attempt: t.attempt, reason: "exit_code" as const, error, duration_ms: 10, cost_usd: cost };
    this.taskEvent(taskId, "task.failed", data);
  }

  /** Start, then fail in a way no retry on this model can fix (auth, quota, a refused request). */
  failPermanently(taskId: string, reason: "auth" | "quota" | "refused", error = "refused"): void {
    this.start(taskId);
    const t = this.task(taskId);
    const data = {
      attempt: t.attempt,
      reason,
      error,
      duration_ms: 10,
      cost_usd: 0,
      model: t.model,
      permanent: true,
    };
    this.taskEvent(taskId, "task.failed", data);
  }

  /** Start, then be interrupted by a worker (a limit), as its after-run decider records it. */
  interrupt(taskId: string, data: Omit<EventData<"task.interrupted">, "worker_id">): void {
    this.start(taskId);
    this.taskEvent(taskId, "task.interrupted", { worker_id: "w1", ...data });
  }

  /** Start, then fail validation with feedback. */
  failValidation(taskId: string, feedback: string): void {
    this.start(taskId);
    const t = this.task(taskId);
    const data = {
      attempt: t.attempt,
      output_ref: `out/${taskId}/${t.attempt}`,
      failures: [{ type: "json", error: "not JSON", suggestions: ["answer with JSON"] }],
      feedback,
      duration_ms: 10,
      cost_usd: 0,
    };
    this.taskEvent(taskId, "validation.failed", data);
  }

  /** Start, then hand off with the remaining work. */
  handoff(taskId: string, remaining: string, cost = 0.001): void {
    this.start(taskId);
    const data = { ...this.runOutcome(taskId, cost, "partial"), remaining_work: remaining };
    this.taskEvent(taskId, "task.handoff_requested", data);
  }

  /** A critic task runs: critique.recorded on the job subject, then the critic task completes. */
  critique(criticTaskId: string, s: Scores, cost = 0.001): void {
    this.start(criticTaskId);
    const t = this.task(criticTaskId);
    const target = t.created.target_task_id ?? "";
    const data: EventData<"critique.recorded"> = {
      critic_task_id: criticTaskId,
      target_task_id: target,
      target_type: this.task(target).created.task_type,
      iteration: t.created.iteration,
      compliance: s.compliance,
      uniqueness: s.uniqueness ?? 8,
      quality: s.quality,
      critique: s.critique ?? `critique of ${target}`,
      model: t.model,
      passed: s.compliance >= 8 && s.quality >= 8,
    };
    const meta = { job_id: t.job_id, task_id: criticTaskId, now: this.now };
    this.external(Subjects.job(t.job_id), newEvent("critique.recorded", data, meta));
    this.taskEvent(criticTaskId, "task.completed", this.runOutcome(criticTaskId, cost, "scores"));
  }

  // --- queries ------------------------------------------------------------------------------------

  /** Stored events of one type, in order. */
  events<T extends AgentEventType>(type: T): Array<EventOf<T> & { seq: number }> {
    return this.trace.flatMap((t) =>
      t.kind === "event" && t.event.type === type ? [{ ...(t.event as EventOf<T>), seq: t.seq }] : [],
    );
  }

  /** Work items dispatched so far, in order. */
  dispatches(): WorkItem[] {
    return this.trace.flatMap((t) => (t.kind === "dispatch" ? [t.item] : []));
  }

  /** Position in the trace of the first entry matching `pred` (−1 when none). */
  indexOf(pred: (t: Trace) => boolean): number {
    return this.trace.findIndex(pred);
  }

  // --- the adapter loop ---------------------------------------------------------------------------

  private ctx() {
    return { now: this.now, config: this.config };
  }

  private tick(): void {
    this.now += 1000;
  }

  private taskEvent<T extends AgentEventType>(taskId: string, type: T, data: EventData<T>): void {
    const t = this.task(taskId);
    const meta = { job_id: t.job_id, task_id: taskId, correlation_id: t.job_id, now: this.now };
    this.external(Subjects.task(taskId), newEvent(type, data, meta));
  }

  private runOutcome(taskId: string, cost: number, output: string): EventData<"task.completed"> {
    const t = this.task(taskId);
    return {
      output_ref: `out/${taskId}/${Math.max(t.attempt, 1)}`,
      // Small outputs travel inline, as a worker records them (runFields in src/core/worker/outcome.ts).
      output_inline: output,
      output_bytes: output.length,
      duration_ms: 10,
      model: t.model,
      usage: { input_tokens: 10, output_tokens: 10 },
      cost_usd: cost,
      offline: false,
      excerpt: output.slice(0, 300),
    };
  }

  private store(subject: string, event?: AgentEvent): number {
    const seq = ++this.seq;
    this.lastBySubject.set(subject, seq);
    if (event) {
      this.ids.add(event.id);
      this.trace.push({ kind: "event", seq, subject, event });
    }
    return seq;
  }

  /** Execute commands like the adapter: dispatch, or append (guarded) then evolve and decide again. */
  private run(commands: Command[]): void {
    for (const c of commands) {
      if (c.kind === "dispatch") {
        this.trace.push({ kind: "dispatch", item: c.item });
        continue;
      }
      // Optimistic concurrency: the stream moved on, so the decision is dropped.
      if (c.expectedSeq !== undefined && (this.lastBySubject.get(c.subject) ?? 0) !== c.expectedSeq) continue;
      // Nats-Msg-Id deduplication: the same event id is stored once.
      if (this.ids.has(c.event.id)) continue;
      const seq = this.store(c.subject, c.event);
      evolve(this.state, c.event, seq);
      this.run(decide(this.state, { kind: "event", seq, event: c.event }, this.ctx()));
    }
  }
}
