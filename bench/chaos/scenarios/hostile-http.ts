// Hostile HTTP against a gateway process that requires a key: thousands of malformed, oversized,
// wrong-keyed and ill-addressed requests (never a 5xx, never accepted), bodies and headers sent
// slowly or never finished (each must be timed out), and SSE clients that hang up (each must leave
// no NATS consumer behind).
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_EVENTS } from "../../../src/core/events/index.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { BAD_PARAMS_KIND, hostileRequest } from "../hostile-requests.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "hostile-http";
const SIZES = {
  full: { requests: 10_000, concurrency: 16, slow: 30, sse: 100 },
  quick: { requests: 1_000, concurrency: 8, slow: 6, sse: 20 },
};
/** The gateway's request timeout in this scenario (ms): a whole request must arrive within it. */
const REQUEST_TIMEOUT_MS = 5_000;
/** How long past the request timeout a stalled connection may stay open before it counts. */
const SLOW_GRACE_MS = 20_000;

type Tally = {
  byStatus: Map<number, number>;
  noAnswer: number;
  /** A few of the requests that got no answer, described with the error fetch threw. */
  unanswered: string[];
  /** Hostile requests answered 2xx, by kind. */
  acceptedByKind: Map<string, number>;
  /** A few of them, described. */
  accepted: string[];
  jobs: string[];
};

async function hammer(base: string, key: string, n: number, concurrency: number): Promise<Tally> {
  const t: Tally = {
    byStatus: new Map(),
    noAnswer: 0,
    unanswered: [],
    acceptedByKind: new Map(),
    accepted: [],
    jobs: [],
  };
  let next = 0;
  const one = async (i: number) => {
    const req = hostileRequest(i);
    const headers: Record<string, string> = { ...req.headers };
    if (!req.noKey) headers.authorization = `Bearer ${key}`;
    try {
      const res = await fetch(base + req.path, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      t.byStatus.set(res.status, (t.byStatus.get(res.status) ?? 0) + 1);
      if (req.hostile && res.status < 300) {
        t.acceptedByKind.set(req.kind, (t.acceptedByKind.get(req.kind) ?? 0) + 1);
        if (t.accepted.length < 5)
          t.accepted.push(
            `${req.kind}: ${req.method} ${req.path.slice(0, 80)} ${req.body?.slice(0, 120) ?? ""} → ${res.status}`,
          );
      }
      if (req.kind === "valid submit" && res.status === 202) {
        const id = (JSON.parse(text) as { job_id?: string }).job_id;
        if (id) t.jobs.push(id);
      }
    } catch (err) {
      t.noAnswer++;
      if (t.unanswered.length < 5)
        t.unanswered.push(`${req.kind}: ${req.method} ${req.path.slice(0, 80)} → ${why(err)}`);
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return t;
}

/** What fetch threw, with its cause (undici puts the socket error there). */
function why(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code, e.cause?.message].filter(Boolean).join(": ");
}

/** Open a raw connection that sends part of a request and then stalls; ms until the server answered or closed it. */
function stall(port: number, key: string, kind: number, giveUpMs: number): Promise<number> {
  const heads = [
    // A body announced at 1000 bytes, 9 sent.
    `POST /v1/agents/submit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"spec":"`,
    // Headers never finished.
    "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    // A body trickled a byte a second (slowloris): traffic never stops, the request never ends.
    `POST /v1/agents/submit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
  ];
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = connect({ host: "127.0.0.1", port });
    let drip: NodeJS.Timeout | undefined;
    const done = (ms: number) => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(Number.POSITIVE_INFINITY), giveUpMs);
    socket.on("connect", () => {
      socket.write(heads[kind % heads.length] ?? "");
      if (kind % heads.length === 2) drip = setInterval(() => socket.write("a"), 1_000);
    });
    // An answer (408) ends the request even before the connection closes.
    socket.on("data", () => done(Date.now() - t0));
    socket.on("close", () => done(Date.now() - t0));
    socket.on("error", () => undefined);
  });
}

async function consumers(stack: ChaosStack): Promise<number> {
  return (await stack.jsm.streams.info(STREAM_EVENTS)).state.consumer_count;
}

/** The consumers on the events stream now, described (to explain one left behind). */
async function describeConsumers(stack: ChaosStack): Promise<string[]> {
  const out: string[] = [];
  for await (const c of stack.jsm.consumers.list(STREAM_EVENTS))
    out.push(
      `${c.name} (${c.config.filter_subject ?? "all"} from ${c.config.opt_start_seq ?? c.config.deliver_policy}, delivered ${c.delivered.stream_seq}, created ${c.created})`,
    );
  return out;
}

/** Open SSE clients that hang up, at once or after the first bytes; NATS consumers left after. */
async function sseHangups(
  stack: ChaosStack,
  base: string,
  key: string,
  n: number,
  early: boolean,
): Promise<number> {
  const before = await consumers(stack);
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const abort = new AbortController();
      const headers = { authorization: `Bearer ${key}`, ...(i % 2 === 1 ? { "last-event-id": "1" } : {}) };
      const res = fetch(`${base}/v1/agents/events`, { headers, signal: abort.signal });
      if (early) abort.abort();
      else {
        const reader = (await res.catch(() => undefined))?.body?.getReader();
        await reader?.read().catch(() => undefined);
        abort.abort();
      }
      await res.catch(() => undefined);
    }),
  );
  // A request hung up early may still be on its way through the gateway: give it a few seconds to
  // make (and then delete) its consumer before counting, then wait for the count to come back.
  await sleep(5_000);
  const deadline = Date.now() + 20_000;
  let left = (await consumers(stack)) - before;
  while (left > 0 && Date.now() < deadline) {
    await sleep(500);
    left = (await consumers(stack)) - before;
  }
  return Math.max(0, left);
}

export const hostileHttp: Scenario = {
  name: NAME,
  what: "malformed, oversized, wrong-keyed, slow and hung-up HTTP requests against the gateway",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      const key = randomBytes(16).toString("hex");
      const [gateway] = await Promise.all([
        stack.start("gateway", {
          AGENTS_LOCAL_MODE: "false",
          AGENTS_API_KEY: key,
          // The key's rate limit, and the address's limit on failed authentications (after 20 the
          // address gets 429 whatever it sends), would answer most of them 429 before any parser
          // saw them.
          AGENTS_RATE_LIMIT_PER_MINUTE: "10000000",
          AGENTS_AUTH_FAILURES_PER_MINUTE: "10000000",
          AGENTS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        }),
        stack.start("orchestrator"),
        stack.start("worker"),
      ]);
      const port = Number(
        /listening on http:\/\/[^:]+:(\d+)/.exec(await gateway.logged("gateway listening on"))?.[1],
      );
      const base = `http://127.0.0.1:${port}`;
      say(NAME, `${size.slow} stalled requests and ${size.requests} hostile requests against ${base}`);
      const stalls = Promise.all(
        Array.from({ length: size.slow }, (_, i) => stall(port, key, i, REQUEST_TIMEOUT_MS + SLOW_GRACE_MS)),
      );
      const t = await hammer(base, key, size.requests, size.concurrency);
      const slow = await stalls;
      say(NAME, `${size.sse} SSE clients hanging up`);
      const leftEarly = await sseHangups(stack, base, key, size.sse / 2, true);
      const leftLate = await sseHangups(stack, base, key, size.sse / 2, false);
      const health = await fetch(`${base}/health`).then(
        (res) => res.status,
        () => 0,
      );
      const count = (pred: (s: number) => boolean) =>
        [...t.byStatus].filter(([s]) => pred(s)).reduce((n, [, c]) => n + c, 0);
      r.info("requests", size.requests);
      r.zero(
        "5xx",
        count((s) => s >= 500),
      );
      r.zero("no answer", t.noAnswer);
      r.info(
        "2xx",
        count((s) => s < 300),
      );
      r.info(
        "4xx",
        count((s) => s >= 400 && s < 500),
      );
      const badParams = t.acceptedByKind.get(BAD_PARAMS_KIND) ?? 0;
      const acceptedTotal = [...t.acceptedByKind.values()].reduce((n, c) => n + c, 0);
      r.zero("hostile requests accepted", acceptedTotal - badParams);
      r.zero("submissions with bad validator params accepted", badParams);
      // With both limits out of the way, a 429 means a request never reached its parser.
      r.info(
        "answered 429 (not tested)",
        count((s) => s === 429),
      );
      for (const a of t.accepted) r.note(`accepted: ${a}`);
      for (const u of t.unanswered) r.note(`no answer: ${u}`);
      r.info(
        "statuses",
        [...t.byStatus]
          .sort(([a], [b]) => a - b)
          .map(([s, c]) => `${s}×${c}`)
          .join(" "),
      );
      r.info("stalled requests", slow.length);
      r.zero("stalled requests never timed out", slow.filter((ms) => !Number.isFinite(ms)).length);
      const kinds = ["body", "headers", "trickle"];
      const late = slow.flatMap((ms, i) => (Number.isFinite(ms) ? [] : [kinds[i % kinds.length]]));
      if (late.length > 0)
        r.note(`never timed out: ${late.join(", ")} (request timeout ${REQUEST_TIMEOUT_MS} ms)`);
      const answered = slow.filter(Number.isFinite);
      if (answered.length > 0) r.info("stalled request answered after, max s", Math.max(...answered) / 1000);
      r.zero("SSE consumers left behind", leftEarly + leftLate);
      if (leftEarly + leftLate > 0) {
        r.note(
          `consumers left: ${leftEarly} by clients gone before the answer, ${leftLate} by clients gone after`,
        );
        for (const c of await describeConsumers(stack)) r.note(`consumer: ${c}`);
      }
      r.zero("gateway exited", gateway.gone ? 1 : 0);
      r.zero("health not ok after the storm", health === 200 ? 0 : 1);
      await waitForJobs(stack.ledger, t.jobs, 90_000, NAME);
      reportJobs(r, auditJobs(stack.ledger, t.jobs), { noFailures: true });
    }),
};
