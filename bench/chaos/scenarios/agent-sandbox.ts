// Untrusted agents and untrusted submissions against a worker holding every secret: an agent that
// prints its environment must get none back, an LLM judge must not run inside AGENTS_DATA_DIR (the
// NATS store, every task's folder), flag-like model names must be refused, and a bad configuration
// must not print the secrets it holds.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Subjects } from "../../../src/core/events/index.ts";
import { findOutput } from "../../../src/core/ports/artifact-store.ts";
import { Artifacts, StreamReader } from "../../../src/nats/index.ts";
import { parseRuns } from "../agent-program.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { startActor } from "../processes.ts";
import { say } from "../say.ts";
import { onStack, type Scenario } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "agent-sandbox";
const FLAG_MODELS = ["--dangerously-skip-permissions", "-p", "--model=opus", "sonnet --print"];

/** Fresh fake secrets for this run, by the variable names a worker may hold. */
function secrets(): Record<string, string> {
  const v = (p: string) => `${p}-${randomBytes(12).toString("hex")}`;
  return {
    AGENTS_API_KEY: v("agents-key"),
    OPENAI_API_KEY: v("sk-openai"),
    ARANGO_PASSWORD: v("arango-pw"),
    CLAUDE_CODE_OAUTH_TOKEN: v("sk-ant-oat01"),
    ANTHROPIC_API_KEY: v("sk-ant-api03"),
  };
}

/** The output text of a job's generator task. */
async function generatorOutput(stack: ChaosStack, jobId: string): Promise<string> {
  const taskId = `${jobId}-i1-g`;
  let done: { output_ref: string; output_inline?: string | undefined } | undefined;
  for await (const e of new StreamReader(stack.nc).readEvents(Subjects.task(taskId)))
    if (e.event.type === "task.completed") done = e.event.data;
  // A small output travels inline in its event (nothing is stored under its key), a large one is stored.
  return done ? ((await findOutput(await Artifacts.open(stack.nc), done)) ?? "") : "";
}

/** Start `agents worker` with a bad configuration holding secrets; what it printed before exiting. */
async function configErrorOutput(stack: ChaosStack, env: Record<string, string>): Promise<string> {
  const a = startActor(
    "worker",
    `bad-config-${randomBytes(3).toString("hex")}`,
    stack.env(env),
    stack.logDir,
  );
  const timer = setTimeout(() => void a.kill("SIGKILL"), 60_000);
  await a.exited;
  clearTimeout(timer);
  return readFile(a.logFile, "utf8");
}

export const agentSandbox: Scenario = {
  name: NAME,
  what: "an env-printing agent, an LLM judge, flag-like model names and bad configs, with secrets set",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const secret = secrets();
      await Promise.all([stack.start("orchestrator"), stack.start("worker", secret)]);
      const s = stack.submitter;
      const [printer] = await s.burst(1, () => ({ spec: "Print your environment.\nCHAOS: print-env" }));
      const [judged] = await s.burst(1, () => ({
        spec: "Judged answer: one line.",
        validation: [{ type: "agent_task", params: { task_prompt: "Answer in one line." } }],
      }));
      const flagged = await s.burst(FLAG_MODELS.length, (i) => ({
        spec: "Flag-like model.",
        model: FLAG_MODELS[i],
      }));
      const jobs = [printer, judged].filter((j): j is string => j !== undefined);
      await waitForJobs(stack.ledger, [...jobs, ...flagged], 90_000, NAME);
      reportJobs(r, auditJobs(stack.ledger, jobs), { noFailures: true });

      const printed = printer ? await generatorOutput(stack, printer) : "";
      const leaked = Object.entries(secret).filter(([, value]) => printed.includes(value));
      r.atLeast(
        "environment lines printed by the agent",
        printed.split("\n").filter((l) => l.includes("=")).length,
        1,
      );
      r.zero("secrets in the agent's output", leaked.length);
      for (const [name] of leaked) r.note(`the agent printed ${name}`);

      const runs = parseRuns(await readFile(join(stack.stateDir, "runs.log"), "utf8").catch(() => ""));
      const judges = runs.filter((x) => x.role === "judge");
      r.atLeast("judge runs", judges.length, 1);
      r.zero(
        "judges run inside AGENTS_DATA_DIR",
        judges.filter((j) => j.cwd.startsWith(stack.dataDir)).length,
      );
      for (const j of judges.slice(0, 1)) r.note(`a judge ran in ${j.cwd}`);

      const accepted = flagged.filter((j) => stack.ledger.jobs.get(j)?.accepted);
      r.zero("flag-like model names accepted", accepted.length);

      say(NAME, "starting workers with bad configurations");
      const shortKey = `short-${randomBytes(3).toString("hex")}`;
      const password = `pw-${randomBytes(8).toString("hex")}`;
      const outputs = [
        await configErrorOutput(stack, { AGENTS_API_KEY: shortKey }),
        await configErrorOutput(stack, { ARANGO_URL: `http://root:${password}@127.0.0.1:1` }),
      ];
      const printedSecrets = [shortKey, password].filter((v, i) => outputs[i]?.includes(v));
      r.zero("secrets printed by config errors", printedSecrets.length);
    }),
};
