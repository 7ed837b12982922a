// What the orchestrator's pure decisions ask its adapter to do.
import type { ControlCommand } from "../control/index.ts";
import type { AgentEvent, Parsed, Submission, WorkItem } from "../events/index.ts";
import type { PriceTable } from "../providers/pricing.ts";
import type { ModelRoutes } from "../providers/routes.ts";
import type { ValidatorCatalog } from "../submission/index.ts";

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
   * Put a work item on its route's lane. Its msgID is task:attempt:route, so a repeat is stored once,
   * or `dedup` when given (a repair must not be swallowed by the original dispatch's msgID).
   */
  | { kind: "dispatch"; item: WorkItem; dedup?: string };

export type DecideConfig = {
  defaultModel: string;
  maxAttempts: number;
  retryBaseMs: number;
  maxContinuations: number;
  maxRevisions: number;
  taskTimeoutMs: number;
  /** Known validators and their params; a submission naming another, or bad params, is rejected. */
  validators: ValidatorCatalog;
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
