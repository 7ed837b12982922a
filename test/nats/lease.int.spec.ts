import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { Lease, leaseStatus, openLeases, provisionTopology, type Tenure } from "../../src/nats/index.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

// What the leases log, to tell a hand-over (release) from a take-over (after the ttl) without timing.
const lines: string[] = [];
const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
const takenOver = () => lines.filter((l) => l.includes("taken over from a silent holder")).length;
const TTL = 2000;
/** Generous: what should happen soon may be slow on a loaded machine; only "never" is a failure. */
const SOON = 10 * TTL;

/** Resolves with the tenure, or with "waiting" when it has not come within `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "waiting"> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<"waiting">((r) => {
    timer = setTimeout(() => r("waiting"), ms);
  });
  try {
    return await Promise.race([p, waiting]);
  } finally {
    clearTimeout(timer); // a pending timer would keep the test process alive after the last test
  }
}

describe("a leader lease in the KV bucket", () => {
  let server: NatsServerHandle;
  const conns: NatsConnection[] = [];
  const stop = new AbortController();

  before(async () => {
    server = await startNatsServer();
    await provisionTopology(await conn());
  });
  after(async () => {
    stop.abort();
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    await server?.stop();
  });

  async function conn(): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url });
    conns.push(nc);
    return nc;
  }
  const lease = async (name: string) => Lease.open(await conn(), { name, ttlMs: TTL, pollMs: 50, log });

  it("given a free lease, then the first takes it at once and the second waits, told who holds it", async () => {
    const a = await lease("l1");
    const b = await lease("l1");
    const tenure = await within(a.acquire(stop.signal), SOON);
    assert.notEqual(tenure, "waiting");
    const told: string[] = [];
    const waiting = b.acquire(stop.signal, (h) => told.push(h));
    // Three ttl: a renews all along, so b keeps waiting.
    assert.equal(await within(waiting, 3 * TTL), "waiting");
    assert.deepEqual(told, [a.holder]);
    const before = takenOver();
    await a.release();
    assert.notEqual(await within(waiting, SOON), "waiting");
    assert.equal(takenOver(), before, "a release hands over; nobody waited out the ttl");
    await b.release();
  });

  it("given a holder that goes silent, then one standby takes over after its ttl and the holder learns it lost", async () => {
    const holderConn = await conn();
    const a = await Lease.open(holderConn, { name: "l2", ttlMs: TTL, pollMs: 50, log });
    const tenure = (await a.acquire(stop.signal)) as Tenure;
    const b = await lease("l2");
    const c = await lease("l2");
    const bWins = b.acquire(stop.signal).then(() => "b" as const);
    const cWins = c.acquire(stop.signal).then(() => "c" as const);
    const lost = new Promise<void>((r) => tenure.lost.addEventListener("abort", () => r(), { once: true }));
    // The holder can no longer reach the server: it cannot renew (as if frozen or partitioned).
    await holderConn.close();
    const before = takenOver();
    const first = await within(Promise.race([bWins, cWins]), SOON);
    assert.ok(first === "b" || first === "c", `a standby took over (${first})`);
    assert.equal(takenOver(), before + 1, "taken over from the silent holder");
    assert.notEqual(await within(lost, SOON), "waiting", "the silent holder's tenure ended");
    // Only one standby wins; the other keeps waiting while the winner renews.
    assert.equal(await within(first === "b" ? cWins : bWins, 2 * TTL), "waiting");
    await (first === "b" ? b : c).release();
    assert.notEqual(await within(first === "b" ? cWins : bWins, SOON), "waiting");
    await (first === "b" ? c : b).release();
  });

  it("given a lease, then its status names the holder while it renews, and nobody once released", async () => {
    const leases = await openLeases(await conn());
    assert.equal((await leaseStatus(leases, "l4")).holder, null);
    const a = await lease("l4");
    await a.acquire(stop.signal);
    await new Promise((r) => setTimeout(r, TTL)); // a few renewals
    const held = await leaseStatus(leases, "l4");
    assert.equal(held.holder, a.holder);
    assert.equal(held.live, true);
    assert.equal(held.ttl_ms, TTL);
    assert.equal((await leaseStatus(leases, "l4", Date.now() + 2 * TTL)).live, false, "stale after its ttl");
    await a.release();
    assert.deepEqual(await leaseStatus(leases, "l4"), {
      holder: null,
      renewed_at: null,
      ttl_ms: null,
      live: false,
    });
  });

  it("given a standby, when its signal aborts, then acquire rejects and leaves the lease alone", async () => {
    const a = await lease("l3");
    await a.acquire(stop.signal);
    const b = await lease("l3");
    const giveUp = new AbortController();
    const waiting = b.acquire(giveUp.signal);
    giveUp.abort(new Error("shutting down"));
    await assert.rejects(waiting, /shutting down/);
    // a still holds the lease: another standby still waits.
    const c = await lease("l3");
    const cWaits = new AbortController();
    assert.equal(await within(c.acquire(cWaits.signal), 2 * TTL), "waiting");
    cWaits.abort();
    await a.release();
  });
});

describe("a lease holder whose server went away", () => {
  it("given renewals failed until its tenure ended, when the server is back, then it takes its own lease back at once", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const stop = new AbortController();
    try {
      await provisionTopology(nc);
      const a = await Lease.open(nc, { name: "l5", ttlMs: TTL, pollMs: 50, log });
      const tenure = await a.acquire(stop.signal);
      const before = takenOver();
      await server.kill();
      const lost = new Promise<void>((r) => tenure.lost.addEventListener("abort", () => r(), { once: true }));
      assert.notEqual(await within(lost, SOON), "waiting", "renewals failed for too long");
      await server.restart(); // same store: the lease still names this holder
      assert.notEqual(await within(a.acquire(stop.signal), SOON), "waiting");
      assert.equal(
        takenOver(),
        before,
        "it took its own lease back instead of waiting out the ttl like a stranger",
      );
      await a.release();
    } finally {
      stop.abort();
      await nc.close();
      await server.stop();
    }
  });
});
