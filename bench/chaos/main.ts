// `npm run chaos`: the fault suite. Real nats-server processes, real actor processes, real agents;
// each scenario breaks something on purpose and counts, from the stream, what the system promised.
// Prints progress on stderr, every figure per scenario and a summary table on stdout; exits 1 when
// a must-hold figure broke.
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { errorMessage } from "../../src/core/errors.ts";
import { result, type ScenarioReport, scenarioLines, summaryTable } from "./figures.ts";
import { parseOptions, UsageError } from "./options.ts";
import { say } from "./say.ts";
import type { Scenario } from "./scenario.ts";
import { agentSandbox } from "./scenarios/agent-sandbox.ts";
import { clusterLeader } from "./scenarios/cluster-leader.ts";
import { dispatchOutage } from "./scenarios/dispatch-outage.ts";
import { forkingAgent } from "./scenarios/forking-agent.ts";
import { hostileHttp } from "./scenarios/hostile-http.ts";
import { hostileRegex } from "./scenarios/hostile-regex.ts";
import { natsRestarts } from "./scenarios/nats-restarts.ts";
import { orchestratorKills } from "./scenarios/orchestrator-kills.ts";
import { poison } from "./scenarios/poison.ts";
import { workerKills } from "./scenarios/worker-kills.ts";

/** In the order they run. */
const SCENARIOS: Scenario[] = [
  workerKills,
  natsRestarts,
  orchestratorKills,
  clusterLeader,
  dispatchOutage,
  poison,
  hostileRegex,
  hostileHttp,
  agentSandbox,
  forkingAgent,
];

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2), SCENARIOS);
  const chosen = SCENARIOS.filter((s) => o.only.length === 0 || o.only.includes(s.name));
  const t0 = Date.now();
  const load = loadavg()[0] ?? Number.NaN;
  say("suite", `${chosen.length} scenarios, ${o.quick ? "quick" : "full"} size, load ${load.toFixed(1)}`);
  const reports: ScenarioReport[] = [];
  for (const s of chosen) {
    say(s.name, s.what);
    const r = await s.run({ quick: o.quick, keep: o.keep });
    reports.push(r);
    process.stdout.write(`${scenarioLines(r).join("\n")}\n\n`);
    say(s.name, r.broken.length + r.knownBroken.length === 0 ? "held" : result(r));
  }
  const minutes = (Date.now() - t0) / 60_000;
  process.stdout.write(
    `# chaos summary (${o.quick ? "quick" : "full"}, ${minutes.toFixed(1)} min, load ${load.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)})\n\n${summaryTable(reports)}\n`,
  );
  if (o.json) await writeFile(o.json, `${JSON.stringify({ quick: o.quick, reports }, null, 2)}\n`);
  const broken = reports.filter((r) => r.broken.length > 0).map((r) => r.name);
  const known = reports.flatMap((r) => r.knownBroken.map((f) => `${r.name}: ${f.name} (${f.known})`));
  if (known.length > 0)
    process.stdout.write(
      `\nknown broken, not failing the run (bench/chaos/known-broken.ts):\n  ${known.join("\n  ")}\n`,
    );
  if (broken.length > 0) process.stdout.write(`\nmust-hold figures broke in: ${broken.join(", ")}\n`);
  return broken.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[chaos] ${err instanceof UsageError ? "" : "failed: "}${errorMessage(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
