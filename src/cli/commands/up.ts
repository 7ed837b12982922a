// `agents up [--demo]`: the whole local stack in one process tree on the embedded default:
// nats-server (when none answers), projections, orchestrator, a worker and the gateway. Ctrl-C stops
// them in reverse. Before anything starts it makes sure no other `agents up` holds its data folder
// or its gateway port.
import type { Config } from "../../config/index.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats, provisionTopology } from "../../nats/index.ts";
import { createLogger } from "../../observability/logger.ts";
import { redactUrlCredentials } from "../../observability/redact.ts";
import { createRegistry } from "../../observability/registry.ts";
import {
  executorFromConfig,
  orchestratorFromConfig,
  submitResponderFromConfig,
  topologyFromConfig,
  workerFromConfig,
} from "../../stack/components.ts";
import { describeExecutor } from "../../stack/executor-kind.ts";
import { gatewayFromConfig } from "../../stack/gateway.ts";
import { ensurePortFree, lockDataDir } from "../../stack/instance-lock.ts";
import { ensureLocalNats, type LocalNats } from "../../stack/local-nats.ts";
import { startProjections } from "../../stack/projections.ts";
import { Exit } from "../exit.ts";
import { runUntilSignal, type Stoppable } from "../run-until-signal.ts";
import { stackConfig } from "./stack-config.ts";

const USAGE = "usage: agents up [--demo]";

/** Start everything, print where it answers, and run until SIGINT/SIGTERM/SIGHUP. */
export async function runUp(args: string[]): Promise<number> {
  const config = stackConfig(args, USAGE);
  const log = createLogger("agents", config.LOG_LEVEL);
  const gatewayUrl = `http://${config.AGENTS_HOST}:${config.AGENTS_PORT}`;
  // Found before anything starts: anything on the gateway's port, or another `agents up` on this folder.
  await ensurePortFree(config.AGENTS_HOST, config.AGENTS_PORT);
  const lock = await lockDataDir(config.AGENTS_DATA_DIR, {
    gateway: gatewayUrl,
    nats: redactUrlCredentials(config.NATS_URL),
  });
  const parts: Stoppable[] = [];
  try {
    const nats = await ensureLocalNats(config.NATS_URL, config.AGENTS_DATA_DIR);
    if (nats.replacedStale !== undefined)
      log.warn(
        { stale_pid: nats.replacedStale },
        `stopped a stale nats-server (pid ${nats.replacedStale}) that an earlier agents up on ${config.AGENTS_DATA_DIR} left running`,
      );
    // A server this process did not start is not ours to stop (nor to say it stopped).
    if (nats.started) parts.push({ name: "nats-server", stop: nats.stop });
    const nc = await connectNats(config.NATS_URL, "agents-up", natsConnectOptions(config));
    parts.push({ name: "nats", stop: () => nc.drain() });
    await provisionTopology(nc, topologyFromConfig(config));
    // One registry for every part: the gateway's /metrics shows them all.
    const registry = createRegistry({ component: "up" });
    const projections = await startProjections(nc, config, log.child({ part: "projections" }), registry);
    parts.push({ name: "projections", stop: projections.stop });
    const orchestrator = orchestratorFromConfig(nc, config, log.child({ actor: "orchestrator" }), registry);
    await orchestrator.start();
    parts.push({ name: "orchestrator", stop: () => orchestrator.stop() });
    const responder = submitResponderFromConfig(nc, config, log.child({ part: "submit-responder" }));
    parts.push({ name: "submit-responder", stop: responder.stop });
    const worker = workerFromConfig(
      nc,
      config,
      log.child({ actor: "worker" }),
      executorFromConfig(config, log),
      registry,
    );
    await worker.start();
    parts.push({ name: "worker", stop: () => worker.stop() });
    const gateway = await gatewayFromConfig(
      nc,
      config,
      log.child({ part: "gateway" }),
      projections,
      registry,
    );
    parts.push({ name: "gateway", stop: gateway.stop });
    process.stdout.write(banner(config, nats, projections.kind, gateway.url));
  } catch (err) {
    // Whatever started before the failure is stopped again, last first, so nothing is left running.
    for (const p of [...parts].reverse()) await p.stop().catch(() => undefined);
    await lock.release();
    throw err;
  }
  await runUntilSignal(parts, log);
  await lock.release();
  return Exit.Ok;
}

/** A POSIX shell word: as is when safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * What `agents up` prints: where everything answers, and commands that run as printed from another
 * terminal in this folder (naming the gateway when it is not the CLI's default).
 */
export function banner(config: Config, nats: LocalNats, store: string, url: string): string {
  const natsNote = nats.started
    ? ` (started here, pid ${nats.pid ?? "?"}, data in ${config.AGENTS_DATA_DIR}/nats)`
    : " (already running; not started here, so not stopped by Ctrl-C)";
  const stale =
    nats.replacedStale !== undefined
      ? [
          `               (stopped a stale nats-server, pid ${nats.replacedStale}, left by an earlier agents up)`,
        ]
      : [];
  // Another terminal has none of this one's variables: name the gateway unless it is the CLI's default.
  const exportUrl = url === "http://127.0.0.1:8002" ? [] : [`    export AGENTS_URL=${url}`];
  const agents = "npx agents";
  const keyNote = config.AGENTS_API_KEY
    ? ["    (export AGENTS_API_KEY in that terminal too: this gateway requires it)"]
    : [];
  const natsServer = config.NATS_URL === "nats://127.0.0.1:4222" ? "" : ` -s ${shellWord(config.NATS_URL)}`;
  const spec = "Write a haiku about message queues.";
  return [
    "infinite-agents is up",
    `  NATS:        ${redactUrlCredentials(config.NATS_URL)}${natsNote}`,
    ...stale,
    `  projections: ${store}${store === "embedded" ? " (rebuilt from the stream at every start)" : ` (${redactUrlCredentials(config.ARANGO_URL ?? "")})`}`,
    `  executor:    ${describeExecutor(config)}`,
    `  dashboard:   ${url}/`,
    `  gateway:     ${url}   (API docs ${url}/docs, OpenAPI ${url}/openapi.json)`,
    `  events:      ${url}/v1/agents/events   metrics: ${url}/metrics`,
    "  try, from another terminal in this folder:",
    ...keyNote,
    ...exportUrl,
    `    echo ${shellWord(spec)} | ${agents} submit - --count 3`,
    `    ${agents} watch                        # every job, live (Ctrl-C leaves)`,
    `    ${agents} jobs                         # or: ${agents} help`,
    `    ${agents} stop --reason 'coffee break'   # emergency stop; then: ${agents} resume`,
    "  with the nats CLI:",
    `    nats${natsServer} req agents.submit.request '{"spec":"${spec}","count":3}'   # replies with the job id`,
    `    nats${natsServer} pub agents.control.stop '{"reason":"coffee break"}'`,
    "  Ctrl-C stops everything.",
    "",
  ].join("\n");
}
