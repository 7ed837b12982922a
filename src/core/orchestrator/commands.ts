// What the orchestrator's pure decisions ask its adapter to do.
import type { AgentEvent, Parsed, QueueName, Submission, WorkItem } from "../events/index.ts";
import type { PriceTable } from "../providers/pricing.ts";
import type { ModelRoutes } from "../providers/routes.ts";

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
  /** Put a work item on its route's lane (msgID task:attempt:route, so a repeat is stored once). */
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
  /** Which executor runs a model (the user's entries; defaults otherwise). */
  routes: ModelRoutes;
  /** Prices of models: a submission with a budget that can reach an unpriced one is rejected. */
  prices: PriceTable;
  /** Whether submissions may set permission_mode and allowed_tools. */
  allowAgentPermissions: boolean;
};

/** Time and nothing else from the outside world enters decisions as data. */
export type DecideContext = { now: number; config: DecideConfig };

export type AppendCommand = Extract<Command, { kind: "append" }>;
