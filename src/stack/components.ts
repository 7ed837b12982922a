// Build the system's parts from the configuration: executors, orchestrator and workers.
import { join } from "node:path";
import type { Registry } from "prom-client";
import { createCritic } from "../actors/critic/index.ts";
import { Orchestrator } from "../actors/orchestrator/index.ts";
import { startSubmitResponder } from "../actors/submit-responder/index.ts";
import { Worker } from "../actors/worker/index.ts";
import { type Config, modelLimitsOf } from "../config/index.ts";
import { QueueName } from "../core/events/index.ts";
import type { Executor } from "../core/ports/executor.ts";
import type { PriceTable } from "../core/providers/pricing.ts";
import type { Route } from "../core/providers/routes.ts";
import { createExecutors, parseAgentEnvNames } from "../executors/index.ts";
import type { Connection } from "../nats/connection.ts";
import type { Served } from "../nats/requests.ts";
import type { TopologyOptions } from "../nats/topology.ts";
import type { Logger } from "../observability/logger.ts";
import { VALIDATOR_CATALOG } from "../validation/index.ts";
import { describeExecutor, executorKinds } from "./executor-kind.ts";

/**
 * The executors the configuration names, by route (default claude when its CLI is on PATH, else the
 * offline echo executor for every route); one warning when it is echo.
 */
export function executorsFromConfig(config: Config, log: Logger, prices: PriceTable): Map<Route, Executor> {
  const kinds = executorKinds(config);
  if (kinds.includes("echo"))
    log.warn(
      config.AGENTS_EXECUTOR
        ? `executor: ${describeExecutor(config)}; outputs are labelled as such`
        : "no Claude CLI on PATH and AGENTS_EXECUTOR unset: using the OFFLINE echo executor (no LLM is called; outputs are labelled). " +
            "Set AGENTS_EXECUTOR=claude|openai|command (or several, e.g. claude,openai) to use a real agent.",
    );
  if (kinds.includes("command") && !config.AGENTS_MODEL_ROUTES.some((r) => r.route === "command"))
    log.warn(
      "AGENTS_EXECUTOR names command, but no model routes to it: set AGENTS_MODEL_ROUTES (e.g. '*=command') here and on the orchestrator, or this worker takes no command work",
    );
  const [command, ...commandArgs] = (config.AGENTS_COMMAND ?? "").split(" ").filter(Boolean);
  return createExecutors({
    kinds,
    claudeCommand: config.CLAUDE_COMMAND,
    claudePermissionMode: config.AGENTS_CLAUDE_PERMISSION_MODE,
    claudeAllowedTools: config.AGENTS_CLAUDE_ALLOWED_TOOLS,
    claudeMaxTurns: config.AGENTS_CLAUDE_MAX_TURNS,
    claudeAuthDir: config.AGENTS_CLAUDE_AUTH_DIR,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    command,
    commandArgs,
    agentEnv: parseAgentEnvNames(config.AGENTS_AGENT_ENV),
    prices,
    echo: {
      delayMs: config.AGENTS_ECHO_DELAY_MS,
      lowScoreRate: config.AGENTS_ECHO_LOW_SCORE_RATE,
      handoffRate: config.AGENTS_ECHO_HANDOFF_RATE,
    },
  });
}

const MS_PER_DAY = 86_400_000;

/** Streams and buckets as the configuration sets them: replicas, the work ack wait, retention. */
export function topologyFromConfig(config: Config): TopologyOptions {
  return {
    workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS,
    replicas: config.AGENTS_STREAM_REPLICAS,
    eventsMaxAgeMs: Math.round(config.AGENTS_EVENTS_MAX_AGE_DAYS * MS_PER_DAY),
    eventsMaxBytes: config.AGENTS_EVENTS_MAX_BYTES,
  };
}

/** How often the orchestrator and the projections write snapshots. */
export function snapshotSettings(config: Config): { everyEvents: number; checkMs: number } {
  return { everyEvents: config.AGENTS_SNAPSHOT_EVERY_EVENTS, checkMs: config.AGENTS_SNAPSHOT_CHECK_MS };
}

/** The orchestrator with its decision settings from the configuration; metrics go to `registry`. */
export function orchestratorFromConfig(
  nc: Connection,
  config: Config,
  log: Logger,
  registry: Registry,
  prices: PriceTable,
): Orchestrator {
  return new Orchestrator({
    nc,
    log,
    registry,
    maxSubmitBytes: config.AGENTS_MAX_PAYLOAD_BYTES,
    leaseTtlMs: config.AGENTS_ORCHESTRATOR_LEASE_MS,
    reconcileEveryMs: config.AGENTS_RECONCILE_EVERY_MS,
    reconcileAfterMs: config.AGENTS_RECONCILE_AFTER_MS,
    snapshots: snapshotSettings(config),
    config: {
      defaultModel: config.AGENTS_DEFAULT_MODEL,
      maxAttempts: config.AGENTS_MAX_ATTEMPTS,
      retryBaseMs: config.AGENTS_RETRY_BASE_MS,
      maxContinuations: config.AGENTS_MAX_CONTINUATIONS,
      maxRevisions: config.AGENTS_MAX_REVISIONS,
      taskTimeoutMs: config.AGENTS_TASK_TIMEOUT_MS,
      validators: VALIDATOR_CATALOG,
      routes: config.AGENTS_MODEL_ROUTES,
      prices,
      allowAgentPermissions: config.AGENTS_SUBMIT_PERMISSIONS,
    },
  });
}

/** A worker serving the configured queues with the configured executors; metrics go to `registry`. */
export function workerFromConfig(
  nc: Connection,
  config: Config,
  log: Logger,
  executors: ReadonlyMap<Route, Executor>,
  registry: Registry,
): Worker {
  const queues = config.AGENTS_QUEUES.split(",").map((q) => QueueName.parse(q.trim()));
  return new Worker({
    nc,
    log,
    registry,
    executors,
    routes: config.AGENTS_MODEL_ROUTES,
    queues,
    concurrency: config.AGENTS_WORKER_CONCURRENCY,
    dataDir: join(config.AGENTS_DATA_DIR),
    killGraceMs: config.AGENTS_KILL_GRACE_MS,
    ackWaitMs: config.AGENTS_WORK_ACK_WAIT_MS,
    modelLimits: modelLimitsOf(config),
    limitsWindowMs: config.AGENTS_MODEL_LIMITS_WINDOW_MS,
    learnLimits: config.AGENTS_MODEL_LIMITS_LEARN === "on",
    progressEveryMs: config.AGENTS_PROGRESS_EVERY_MS,
    savePatienceMs: config.AGENTS_SAVE_PATIENCE_MS,
    critic: createCritic,
    artifactLimits: {
      maxFiles: config.AGENTS_ARTIFACT_MAX_FILES,
      maxBytes: config.AGENTS_ARTIFACT_MAX_BYTES,
    },
    authRecheckMs: config.AGENTS_AUTH_RECHECK_MS,
  });
}

/** The responder that answers `nats req agents.submit.request …` with the job id. */
export function submitResponderFromConfig(
  nc: Connection,
  config: Config,
  log: Logger,
  prices: PriceTable,
): Served {
  return startSubmitResponder({
    nc,
    log,
    maxBytes: config.AGENTS_MAX_PAYLOAD_BYTES,
    rules: {
      validators: VALIDATOR_CATALOG,
      defaultModel: config.AGENTS_DEFAULT_MODEL,
      routes: config.AGENTS_MODEL_ROUTES,
      prices,
      allowAgentPermissions: config.AGENTS_SUBMIT_PERMISSIONS,
    },
  });
}
