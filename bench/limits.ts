// `npm run bench:limits -- [--calls N] [--window-ms W] [--rpm R] [--tpm T] [--workers 1,4] [--no-baseline] [--learn]`:
// the shared model limits against the OpenAI fixture provider, which enforces R requests and T tokens
// per sliding window of W ms and answers 429 with Retry-After. With 1 and 4 worker processes, limits
// set to the provider's (throttling on) and unset (off, the baseline: 429s and Retry-After holds
// only), in one run; with --learn throttling on tells the limiter no limits (only the window): it
// learns them from the fixture's x-ratelimit-* headers. Then the limiter's own cost per call against
// a nats-server. Prints a Markdown report.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { pino } from "pino";
import { ModelLimiter } from "../src/actors/worker/model-limiter.ts";
import { Subjects } from "../src/core/events/index.ts";
import { jobIdFor } from "../src/core/ids.ts";
import { JetStreamLimitsStore, provisionTopology, StreamReader } from "../src/nats/index.ts";
import { type Accepted, startOpenAIFixture } from "../test/fixtures/openai-server.ts";
import { spawnActor } from "../test/support/actor-process.ts";
import { startNatsServer } from "./servers.ts";
import { fmt, quantile } from "./stats.ts";

const say = (line: string) => process.stderr.write(`[bench:limits] ${line}\n`);
const MODEL = "fixture-model";

const { values: args } = parseArgs({
  options: {
    calls: { type: "string", default: "200" },
    "window-ms": { type: "string", default: "5000" },
    rpm: { type: "string", default: "60" },
    tpm: { type: "string", default: "20000" },
    "cost-calls": { type: "string", default: "300" },
    /** Worker process counts to run, e.g. "1,4". */
    workers: { type: "string", default: "1,4" },
    /** Leave out the baseline (no limits set). */
    "no-baseline": { type: "boolean", default: false },
    /** Throttling on tells the limiter no limits: it learns them from the provider's headers. */
    learn: { type: "boolean", default: false },
  },
});
const CALLS = Number(args.calls);
const WINDOW_MS = Number(args["window-ms"]);
const RPM = Number(args.rpm);
const TPM = Number(args.tpm);
const LEARN = args.learn === true;

/** A passing critique for critic prompts (no revisions); otherwise about 2000 characters (500 tokens). */
function reply(prompt: string): string {
  if (prompt.split("\n").some((l) => l.trim() === "ROLE: critic"))
    return "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fixture: clear and on point.";
  const line = (prompt.split("\n")[0] ?? "").slice(0, 80);
  return `Fixture reply to: ${line}\n${`${prompt.length} `.repeat(400).slice(0, 2000)}`;
}

type Scenario = { workers: number; throttle: boolean };
type Outcome = Scenario & {
  requests: number;
  rejected: number;
  /** The 429s by the limit the request would have passed (requests or tokens per window). */
  rejectedBy: { requests: number; tokens: number };
  seconds: number;
  /** Tokens used over the saturated windows, as a share of what the provider allowed. */
  tokenUse: number;
  saturatedWindows: number;
  failed: number;
  deadLettered: number;
  completed: boolean;
};

/** Tokens per full window from the first accepted call, leaving out the last (draining) window. */
function tokenUse(log: readonly Accepted[]): { share: number; windows: number } {
  const first = log[0]?.at;
  const last = log.at(-1)?.at;
  if (first === undefined || last === undefined) return { share: 0, windows: 0 };
  const windows = Math.floor((last - first) / WINDOW_MS) - 1;
  if (windows < 1) return { share: 0, windows: 0 };
  const used = log.filter((e) => e.at < first + windows * WINDOW_MS).reduce((s, e) => s + e.tokens, 0);
  return { share: used / (windows * TPM), windows };
}

async function runScenario(s: Scenario): Promise<Outcome> {
  const nats = await startNatsServer();
  const provider = await startOpenAIFixture({
    requestsPerMinute: RPM,
    tokensPerMinute: TPM,
    windowMs: WINDOW_MS,
    delayMs: 150,
    reply,
  });
  const dir = await mkdtemp(join(tmpdir(), "agents-bench-limits-"));
  const nc = await connect({ servers: nats.url });
  const actors: ReturnType<typeof spawnActor>[] = [];
  try {
    await provisionTopology(nc);
    const env: Record<string, string> = {
      NATS_URL: nats.url,
      AGENTS_DATA_DIR: join(dir, "data"),
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_WORKER_CONCURRENCY: "4",
      AGENTS_MAX_REVISIONS: "0",
      LOG_LEVEL: "warn",
      ...(s.throttle
        ? {
            ...(LEARN ? {} : { AGENTS_MODEL_LIMITS: `${MODEL}=${RPM}rpm/${TPM}tpm` }),
            AGENTS_MODEL_LIMITS_WINDOW_MS: String(WINDOW_MS),
          }
        : { AGENTS_MODEL_LIMITS_LEARN: "off" }),
    };
    actors.push(spawnActor("orchestrator", env));
    for (let i = 0; i < s.workers; i++)
      actors.push(spawnActor("worker", { ...env, AGENTS_DATA_DIR: join(dir, `w${i}`) }));
    await sleep(3000); // the processes start (tsx compiles) before the clock starts
    const js = jetstream(nc);
    const iterations = Math.ceil(CALLS / 2);
    // Jobs of 5 plan every iteration at once, so the queue stays full until the last windows.
    const perJob = 5;
    const jobs: string[] = [];
    const t0 = Date.now();
    for (let j = 0; j * perJob < iterations; j++) {
      const key = `bench-limits-${t0}-${j}`;
      const count = Math.min(perJob, iterations - j * perJob);
      await js.publish(
        Subjects.submit,
        JSON.stringify({ spec: `Write about limits, part ${j}.`, count, model: MODEL, idempotency_key: key }),
      );
      jobs.push(jobIdFor(key));
    }
    const reader = new StreamReader(nc);
    const deadline = Date.now() + 15 * 60_000;
    let open = [...jobs];
    while (open.length > 0 && Date.now() < deadline) {
      await sleep(1000);
      const still: string[] = [];
      for (const id of open) {
        let done = false;
        for await (const e of reader.readEvents(Subjects.job(id)))
          if (e.event.type === "job.completed") done = true;
        if (!done) still.push(id);
      }
      open = still;
    }
    const seconds = (Date.now() - t0) / 1000;
    let failed = 0;
    let deadLettered = 0;
    for await (const e of reader.readEvents(Subjects.tasks)) {
      if (e.event.type === "task.failed") failed++;
      if (e.event.type === "task.dead_lettered") deadLettered++;
    }
    const use = tokenUse(provider.acceptedLog);
    return {
      ...s,
      requests: provider.requests,
      rejected: provider.rejected,
      rejectedBy: provider.rejectedBy,
      seconds,
      tokenUse: use.share,
      saturatedWindows: use.windows,
      failed,
      deadLettered,
      completed: open.length === 0,
    };
  } finally {
    await Promise.all(actors.map((a) => a.kill("SIGTERM")));
    await nc.close();
    await provider.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The limiter's cost per call (acquire, then done) with `contenders` limiters on one model, each on its own connection. */
async function costPerCall(
  contenders: number,
  limited: boolean,
): Promise<{ perCallMs: number[]; calls: number }> {
  const nats = await startNatsServer();
  const log = pino({ level: "silent" });
  const conns = await Promise.all(Array.from({ length: contenders }, () => connect({ servers: nats.url })));
  try {
    await provisionTopology(conns[0] as (typeof conns)[number]);
    const limits = new Map(
      limited ? [[MODEL, { rpm: 1_000_000, tpm: 1_000_000_000, concurrency: 1000 }]] : [],
    );
    const stores = await Promise.all(conns.map((c) => JetStreamLimitsStore.open(c, log)));
    const limiters = stores.map((st) => new ModelLimiter(st, limits, log, { windowMs: 1000 }));
    const per = Math.ceil(Number(args["cost-calls"]) / contenders);
    const signal = new AbortController().signal;
    const times: number[] = [];
    await Promise.all(
      limiters.map(async (l) => {
        for (let i = 0; i < per; i++) {
          const t = performance.now();
          const lease = await l.acquire(MODEL, { band: "normal", prompt: 100 }, 60_000, signal);
          await lease.done({ used: { input_tokens: 100, output_tokens: 10 } });
          times.push(performance.now() - t);
        }
      }),
    );
    for (const l of limiters) l.close();
    await Promise.all(stores.map((st) => st.close()));
    return { perCallMs: times, calls: times.length };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
    await nats.stop();
  }
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = [];
  for (const workers of (args.workers ?? "1,4").split(",").map(Number))
    for (const throttle of args["no-baseline"] ? [true] : [true, false]) {
      say(`${workers} worker(s), throttling ${throttle ? "on" : "off"}…`);
      const o = await runScenario({ workers, throttle });
      say(
        `  ${o.requests} requests, ${o.rejected} answered 429 (${o.rejectedBy.requests} on requests, ${o.rejectedBy.tokens} on tokens), token use ${fmt(o.tokenUse * 100, 1)} %`,
      );
      outcomes.push(o);
    }
  const costs: Array<{ label: string; perCallMs: number[] }> = [];
  for (const [label, contenders, limited] of [
    ["a model without limits (1 limiter)", 1, false],
    ["a limited model with headroom, 1 limiter", 1, true],
    ["a limited model with headroom, 4 limiters on one model", 4, true],
  ] as const) {
    say(`cost per call: ${label}…`);
    costs.push({ label, perCallMs: (await costPerCall(contenders, limited)).perCallMs });
  }

  const lines = [
    `## Provider limits (\`npm run bench:limits\`)`,
    "",
    `The fixture provider allows ${RPM} requests and ${TPM} tokens per sliding window of ${WINDOW_MS} ms`,
    `(answers take 150 ms); ${CALLS} calls (${Math.ceil(CALLS / 2)} iterations: a generator and a critic each), workers of 4 agents each.`,
    LEARN
      ? `Throttling on: no limits set, only \`AGENTS_MODEL_LIMITS_WINDOW_MS=${WINDOW_MS}\` (limits learned from the x-ratelimit-* headers); off: \`AGENTS_MODEL_LIMITS_LEARN=off\`.`
      : `Throttling on: \`AGENTS_MODEL_LIMITS=${MODEL}=${RPM}rpm/${TPM}tpm\`, \`AGENTS_MODEL_LIMITS_WINDOW_MS=${WINDOW_MS}\`; off: no limits set, \`AGENTS_MODEL_LIMITS_LEARN=off\`.`,
    "",
    "| workers | throttling | requests | answered 429 (on requests / tokens) | 429 share | tokens used over saturated windows | windows | failed / dead-lettered | wall time |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...outcomes.map(
      (o) =>
        `| ${o.workers} | ${o.throttle ? "on" : "off"} | ${o.requests} | ${o.rejected} (${o.rejectedBy.requests} r / ${o.rejectedBy.tokens} t) | ${fmt((o.rejected / Math.max(1, o.requests)) * 100, 2)} % | ${fmt(o.tokenUse * 100, 1)} % | ${o.saturatedWindows} | ${o.failed} / ${o.deadLettered}${o.completed ? "" : " (not all jobs completed)"} | ${fmt(o.seconds, 1)} s |`,
    ),
    "",
    "The limiter's cost per call (acquire, then done; one nats-server on this machine):",
    "",
    "| case | calls | p50 | p90 | p99 |",
    "| --- | --- | --- | --- | --- |",
    ...costs.map(
      (c) =>
        `| ${c.label} | ${c.perCallMs.length} | ${fmt(quantile(c.perCallMs, 0.5), 2)} ms | ${fmt(quantile(c.perCallMs, 0.9), 2)} ms | ${fmt(quantile(c.perCallMs, 0.99), 2)} ms |`,
    ),
  ];
  console.log(lines.join("\n"));
}

main().catch((err: unknown) => {
  console.error(`[bench:limits] ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
