// A test stack: a real nats-server, the topology, and actor subprocesses running the fixture agent.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { provisionTopology, StreamReader } from "../../src/nats/index.ts";
import { type ActorProcess, spawnActor } from "./actor-process.ts";
import { fakeClaudeCommand } from "./cli-bundle.ts";
import { type NatsServerHandle, startNatsServer } from "./nats-server.ts";

/** The fake Claude CLI (bundled, see cli-bundle.ts). */
export const FAKE_CLAUDE = fakeClaudeCommand();

export type TestStack = {
  nats: NatsServerHandle;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  dir: string;
  /** The fixture agent appends one JSON line per run here. */
  fixtureLog: string;
  /** Environment every actor of this stack gets (add to it per actor). */
  env: Record<string, string>;
  startWorker(env?: Record<string, string>): ActorProcess;
  startOrchestrator(env?: Record<string, string>): ActorProcess;
  /** Publish a plain-JSON submission on agents.submit; returns the job id it becomes. */
  submit(submission: Record<string, unknown>): Promise<string>;
  /** Every event on a subject filter, in stream order. */
  events(filter?: string): Promise<StoredEvent[]>;
  /** Poll the events of a filter until `done` holds (or throw after timeoutMs with what was seen). */
  waitFor(
    filter: string,
    done: (events: StoredEvent[]) => boolean,
    timeoutMs?: number,
  ): Promise<StoredEvent[]>;
  /** Runs of the fixture agent so far (parsed FIXTURE_LOG lines). */
  agentRuns(): Promise<Array<{ pid: number; prompt: string; cwd: string; startedAt: string }>>;
  stop(): Promise<void>;
};

let submissions = 0;

/** Start nats-server and provision the topology; actors are started by the test. */
export async function startStack(env: Record<string, string> = {}): Promise<TestStack> {
  const nats = await startNatsServer();
  const dir = await mkdtemp(join(tmpdir(), "agents-stack-"));
  const nc = await connect({ servers: nats.url });
  // An empty AGENTS_WORK_ACK_WAIT_MS leaves it to the configuration's default (for the actors too).
  const ackWait = env.AGENTS_WORK_ACK_WAIT_MS ?? "3000";
  await provisionTopology(nc, ackWait === "" ? {} : { workAckWaitMs: Number(ackWait) });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const fixtureLog = join(dir, "fixture.log");
  const actors: ActorProcess[] = [];
  const base: Record<string, string> = {
    NATS_URL: nats.url,
    AGENTS_DATA_DIR: join(dir, "data"),
    AGENTS_EXECUTOR: "claude",
    CLAUDE_COMMAND: FAKE_CLAUDE,
    FIXTURE_LOG: fixtureLog,
    FIXTURE_STATE_DIR: dir,
    // Agents get an allow-listed environment: the fixture agent's own settings are passed by name.
    AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR",
    AGENTS_WORK_ACK_WAIT_MS: "3000",
    AGENTS_RETRY_BASE_MS: "300",
    AGENTS_KILL_GRACE_MS: "1000",
    AGENTS_PROGRESS_EVERY_MS: "1000",
    // A restarted orchestrator takes over from a killed one after this long.
    AGENTS_ORCHESTRATOR_LEASE_MS: "1500",
    LOG_LEVEL: "info",
    ...env,
  };
  const start = (cmd: "worker" | "orchestrator", extra: Record<string, string> = {}) => {
    const a = spawnActor(cmd, { ...base, ...extra });
    actors.push(a);
    return a;
  };
  const stack: TestStack = {
    nats,
    nc,
    js,
    jsm,
    dir,
    fixtureLog,
    env: base,
    startWorker: (extra) => start("worker", extra),
    startOrchestrator: (extra) => start("orchestrator", extra),
    submit: async (submission) => {
      const key = String(submission.idempotency_key ?? `test-${process.pid}-${Date.now()}-${submissions++}`);
      await js.publish(Subjects.submit, JSON.stringify({ ...submission, idempotency_key: key }));
      return jobIdFor(key);
    },
    events: async (filter = Subjects.all) => {
      const out: StoredEvent[] = [];
      for await (const e of new StreamReader(nc).readEvents(filter)) out.push(e);
      return out;
    },
    waitFor: async (filter, done, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let seen: StoredEvent[] = [];
      while (Date.now() < deadline) {
        // A read that fails (the test's nats-server restarting) is "not yet", not the end.
        const read = await stack.events(filter).catch(() => undefined);
        if (read) seen = read;
        if (read && done(seen)) return seen;
        await sleep(200);
      }
      const tail = seen.slice(-15).map((e) => `${e.seq} ${e.subject} ${e.event.type}`);
      const logs = actors.map((a) => a.logs().slice(-3000)).join("\n---\n");
      throw new Error(
        `timed out after ${timeoutMs} ms waiting on ${filter}; last events:\n${tail.join("\n")}\nactor logs:\n${logs}`,
      );
    },
    agentRuns: async () => {
      const { readFile } = await import("node:fs/promises");
      const text = await readFile(fixtureLog, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    stop: async () => {
      await Promise.all(actors.map((a) => a.kill("SIGKILL")));
      await nc.close();
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Events of one type from a list. */
export function ofType<T extends StoredEvent["event"]["type"]>(events: StoredEvent[], type: T) {
  return events.filter((e) => e.event.type === type) as Array<
    StoredEvent & { event: Extract<StoredEvent["event"], { type: T }> }
  >;
}

/**
 * Register before/after hooks in the enclosing describe: a stack with an orchestrator and
 * `workers` workers; returns a getter for it (the stack exists once `before` has run).
 */
export function useStack(o: { workers?: number; env?: Record<string, string> } = {}): () => TestStack {
  let stack: TestStack | undefined;
  before(async () => {
    stack = await startStack(o.env);
    stack.startOrchestrator();
    for (let i = 0; i < (o.workers ?? 1); i++) stack.startWorker();
  });
  after(() => stack?.stop());
  return () => {
    if (!stack) throw new Error("useStack: the stack starts in before(); use it inside a test");
    return stack;
  };
}
