// `agents up`: the whole local stack in one process tree on the embedded default.
import { loadConfig } from "../../config/index.ts";
import { connectNats, provisionTopology } from "../../events/index.ts";
import { createLogger } from "../../observability/logger.ts";
import { executorFromConfig, orchestratorFromConfig, workerFromConfig } from "../../stack/components.ts";
import { ensureLocalNats } from "../../stack/local-nats.ts";
import { runUntilSignal, type Stoppable } from "../run-until-signal.ts";

/** Start NATS (when none answers), provision the topology, then the orchestrator and a worker. */
export async function runUp(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("agents", config.LOG_LEVEL);
  const parts: Stoppable[] = [];
  const nats = await ensureLocalNats(config.NATS_URL, config.AGENTS_DATA_DIR);
  parts.push({ name: "nats-server", stop: nats.stop });
  const nc = await connectNats(config.NATS_URL, "agents-up");
  parts.push({ name: "nats", stop: () => nc.drain() });
  await provisionTopology(nc, { workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS });
  const orchestrator = orchestratorFromConfig(nc, config, log.child({ actor: "orchestrator" }));
  await orchestrator.start();
  parts.push({ name: "orchestrator", stop: () => orchestrator.stop() });
  const worker = workerFromConfig(
    nc,
    config,
    log.child({ actor: "worker" }),
    executorFromConfig(config, log),
  );
  await worker.start();
  parts.push({ name: "worker", stop: () => worker.stop() });
  process.stdout.write(
    [
      "infinite-agents is up",
      `  NATS:     ${config.NATS_URL}${nats.started ? ` (started here, data in ${config.AGENTS_DATA_DIR}/nats)` : " (already running)"}`,
      '  submit:   nats pub agents.submit \'{"spec":"write a haiku about queues","count":3}\'',
      '  stop:     nats pub agents.control.stop \'{"reason":"…"}\'   resume: agents.control.resume',
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  await runUntilSignal(parts, log);
}
