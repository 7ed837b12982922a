// What the task runner needs from its worker, and the handle of one running task.
import type { AgentEvent, EventContext, TaskWaiting } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import type { ArtifactStore } from "../../core/ports/artifact-store.ts";
import type { CriticJudge } from "../../core/ports/critic.ts";
import type { EventStore } from "../../core/ports/event-store.ts";
import type { ExecutorProgress } from "../../core/ports/executor.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { ModelRoutes } from "../../core/providers/routes.ts";
import type { StopReason } from "../../core/worker/after-run.ts";
import type { ArtifactLimits } from "./artifacts.ts";
import type { WorkerExecutors } from "./executors.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { ModelLimiter } from "./model-limiter.ts";

/** A run's progress: the agent's report, or what the run waits for before its agent starts. */
export type RunProgress = ExecutorProgress & { waiting?: TaskWaiting | undefined };

export type RunnerDeps = {
  events: EventStore;
  artifacts: ArtifactStore;
  /** The worker's executors, one per route it serves, with their health. */
  executors: WorkerExecutors;
  /** How models route (to find the route of items from before routing, and of fallback models). */
  routes: ModelRoutes;
  /** Bounds on the files kept from a task folder. */
  artifactLimits: ArtifactLimits;
  /** The fleet-wide model limits (shared state in NATS). */
  models: ModelLimiter;
  /** Judges critic tasks' answers (the critic role, handed in by the composition root). */
  critic: CriticJudge;
  log: Logger;
  /** Where this worker's runs are counted and timed. */
  metrics: WorkerMetrics;
  workerId: string;
  dataDir: string;
  killGraceMs: number;
};

export type { StopReason };

export type TaskHandle = {
  task: TaskState;
  attempt: number;
  abort: AbortController;
  stopReason: StopReason | undefined;
  /**
   * Append an event to the task's subject at the handle's known sequence (re-reads on conflict).
   * Appends go one at a time, in call order. The first event that is not task.progress ends the run:
   * progress asked for after it is dropped, so no task.progress can follow an outcome. Resolves
   * true once stored, false when it was not (dropped, or the task is another worker's or final now).
   */
  append(event: AgentEvent): Promise<boolean>;
  /** Resolves once every append asked for so far has settled. */
  settled(): Promise<void>;
  /** Metadata for events this handle writes. */
  meta(): EventContext;
  /** The agent's latest progress report (or, before it starts, what it waits for). */
  progress: RunProgress | undefined;
  onProgress(p: RunProgress): void;
};
