// What the task runner needs from its worker, and the handle of one running task.
import type { JetStreamManager } from "@nats-io/jetstream";
import type { AgentEvent, EventContext } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import type { Executor, ExecutorProgress } from "../../executors/index.ts";
import type { Artifacts } from "../../nats/artifacts.ts";
import type { EventPublisher } from "../../nats/index.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ModelGate } from "./model-gate.ts";

export type RunnerDeps = {
  publisher: EventPublisher;
  jsm: JetStreamManager;
  artifacts: Artifacts;
  executor: Executor;
  models: ModelGate;
  log: Logger;
  workerId: string;
  dataDir: string;
  killGraceMs: number;
};

/** Why a running agent was stopped from outside. */
export type StopReason = "cancel" | "stop" | "shutdown" | "lost";

export type TaskHandle = {
  task: TaskState;
  attempt: number;
  abort: AbortController;
  stopReason: StopReason | undefined;
  rateLimitedMs: number | undefined;
  /**
   * Append an event to the task's subject at the handle's known sequence (re-reads on conflict).
   * Appends go one at a time, in call order. The first event that is not task.progress ends the run:
   * progress asked for after it is dropped, so no task.progress can follow an outcome.
   */
  append(event: AgentEvent): Promise<void>;
  /** Resolves once every append asked for so far has settled. */
  settled(): Promise<void>;
  /** Metadata for events this handle writes. */
  meta(): EventContext;
  /** The agent's latest progress report. */
  progress: ExecutorProgress | undefined;
  onProgress(p: ExecutorProgress): void;
};
