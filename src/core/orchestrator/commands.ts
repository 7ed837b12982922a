// What the orchestrator's pure decisions ask its adapter to do.
import type { AgentEvent, Parsed, QueueName, Submission, WorkItem } from "../events/index.ts";

/** A command published on agents.control.*, decoded. */
export type ControlCommand =
  | { type: "stop"; reason: string }
  | { type: "resume"; reason: string }
  | { type: "cancel"; job_id?: string | undefined; task_id?: string | undefined; reason: string }
  | { type: "pause"; queue: QueueName; reason: string }
  | { type: "unpause"; queue: QueueName };

export type OrchestratorInput =
  | {
      kind: "submit";
      seq: number;
      parsed: Parsed<Submission>;
      excerpt: string;
      key: string;
      source: "gateway" | "nats" | "cli";
    }
  | { kind: "control"; seq: number; body: ControlCommand }
  | { kind: "event"; seq: number; event: AgentEvent };

export type Command =
  /** Append an event; with expectedSeq, a ConcurrencyError drops the command (the stream moved on). */
  | { kind: "append"; subject: string; event: AgentEvent; expectedSeq?: number }
  /** Put a work item on the work stream (msgID task:attempt, so a repeat is stored once). */
  | { kind: "dispatch"; item: WorkItem };

export type DecideConfig = {
  defaultModel: string;
  maxAttempts: number;
  retryBaseMs: number;
  maxContinuations: number;
  maxRevisions: number;
  taskTimeoutMs: number;
  /** Known validator names (and aliases); a submission naming another is rejected. */
  validatorNames: ReadonlySet<string>;
};

/** Time and nothing else from the outside world enters decisions as data. */
export type DecideContext = { now: number; config: DecideConfig };

export type AppendCommand = Extract<Command, { kind: "append" }>;
