// `npm run bench:scale`: lifecycles/s with 1, 2 and 4 worker processes and with a standby
// orchestrator, every actor its own `agents` process on its own nats-server, the configurations
// interleaved round by round so the machine's noise falls on each alike; then, once, a failover.
// Prints a Markdown report (and writes every measurement as JSON with --json).
import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { bundleDir, viaTsx } from "../../test/support/cli-bundle.ts";
import { findNatsServer } from "../../test/support/nats-binary.ts";
import { natsServerVersion } from "../servers.ts";
import { fmt } from "../stats.ts";
import { type FailoverRun, runFailover } from "./failover.ts";
import { HELP, parseScaleOptions } from "./options.ts";
import { renderScaleReport, type ScaleReport } from "./report.ts";
import { type ConfigRun, runConfig } from "./run.ts";

const say = (line: string) => process.stderr.write(`[bench:scale] ${line}\n`);

async function main(): Promise<void> {
  const o = parseScaleOptions(process.argv.slice(2));
  if (!o) {
    console.log(HELP);
    return;
  }
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  // Built once before the first process starts (the tests' bundle of the CLI: starts in ~1 s, not ~3 s).
  if (!viaTsx()) say(`agents CLI bundle: ${bundleDir()}`);
  const runs: ConfigRun[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const config of o.configs) {
      const run = await runConfig(o, config, round);
      runs.push(run);
      say(
        `round ${round}: ${config.label}: ${fmt(run.lifecyclesPerSec)} lifecycles/s` +
          (run.paced ? `, paced dispatch p50 ${fmt(run.paced.p50Ms)} ms` : "") +
          ` (load ${fmt(run.load[0], 1)} → ${fmt(run.load[1], 1)})`,
      );
    }
  }
  let failover: FailoverRun | undefined;
  if (o.failover) {
    failover = await runFailover(o);
    say(
      `failover: kill → next job.completed ${fmt(failover.killToNextCompletedMs / 1000, 1)} s, ` +
        `${failover.jobCompletedEvents} job.completed for ${failover.tasks} submissions`,
    );
  }
  const report: ScaleReport = {
    options: o,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? "?",
      node: process.version,
      natsServer: natsServerVersion(findNatsServer()),
      load: [loadAtStart, loadavg()[0] ?? Number.NaN],
    },
    runs,
    failover,
    elapsedMs: Date.now() - started,
  };
  process.stdout.write(renderScaleReport(report));
  if (o.json) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[bench:scale] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
