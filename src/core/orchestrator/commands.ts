// What the orchestrator's pure decisions ask its adapter to do.
import type { ControlCommand } from "../control/index.ts";
import type { AgentEvent, Parsed, Submission, WorkItem } from "../events/index.ts";

export type { ControlCommand };

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
  /**
   * Append an event; with expectedSeq, a ConcurrencyError means the subject moved on: the adapter
   * re-reads it and decides again (see lostRace), it never drops the decision silently.
   */
  | { kind: "append"; subject: string; event: AgentEvent; expectedSeq?: number }
  /**
   * Put a work item on the work stream. Its msgID is task:attempt, so a repeat is stored once, or
   * `dedup` when given (a repair must not be swallowed by the original dispatch's msgID).
   */
  | { kind: "dispatch"; item: WorkItem; dedup?: string };

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
