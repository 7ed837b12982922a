// A leader lease in a JetStream KV bucket: one holder at a time. The holder renews it (a conditional
// update) every third of its ttl; a standby takes it over when its revision has not moved for a
// whole ttl (measured on the standby's own clock, so no clocks need to agree), or at once when the
// holder let go, or when the holder was a process of this machine (same boot, same pid namespace)
// that no longer runs: a lone orchestrator restarted after a crash leads again at once instead of
// waiting out its own dead lease. Every change is compare-and-set on the entry's revision, so two
// standbys can never both win.
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { type KV, Kvm } from "@nats-io/kv";
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { decodeWith } from "../core/events/codec.ts";
import { LEASES_BUCKET } from "../core/events/subjects.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { Connection } from "./connection.ts";
import { isWrongLastSequence } from "./event-store.ts";

export type LeaseOptions = {
  /** The lease's key, e.g. "orchestrator". */
  name: string;
  /** Declared by the holder: a standby takes over after this long without a renewal. */
  ttlMs: number;
  log: Logger;
  /** How often a standby looks at the lease. Default min(1 s, ttl / 4). */
  pollMs?: number;
  /** Milliseconds since some fixed point (monotonic); tests may pass their own. */
  clock?: () => number;
};

/**
 * The lease's value: who holds it, and after how long without renewal a standby may take it; `space`
 * (this machine's boot and pid namespace) and `pid` let a process of the same space see that the
 * holder is gone.
 */
const Holding = z.object({
  holder: z.string(),
  ttl_ms: z.number().positive(),
  space: z.string().optional(),
  pid: z.number().int().positive().optional(),
});
type Holding = z.infer<typeof Holding>;

/** This process's pid space: the boot id and the pid namespace (Linux), or undefined elsewhere. */
function pidSpace(): string | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${boot}/${readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    return undefined;
  }
}

const SPACE = pidSpace();
/** Holders of this process (tests run several leases in one process). */
const OURS = new Set<string>();

/**
 * Whether a holder in our pid space is gone: its pid is ours but it is none of our leases (a
 * previous life of this pid), or its pid runs no longer.
 */
function holderGone(h: Holding | undefined): boolean {
  if (!h || !SPACE || h.space !== SPACE || h.pid === undefined) return false;
  if (h.pid === process.pid) return !OURS.has(h.holder);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
  // Exited but not reaped yet (a zombie) counts as gone.
  try {
    const stat = readFileSync(`/proc/${h.pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Ends when the lease is lost (another process took it, or renewing failed for too long). */
export type Tenure = { lost: AbortSignal };

export class Lease {
  /** Unique per process and lease: host, pid and a random part. */
  readonly holder = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private revision = 0;
  private renewing: Promise<void> | undefined;
  private tenure: AbortController | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly o: LeaseOptions,
  ) {
    OURS.add(this.holder);
  }

  /** Open the leases bucket (provisionTopology creates it). */
  static async open(nc: Connection, o: LeaseOptions): Promise<Lease> {
    return new Lease(await openLeases(nc), o);
  }

  private now(): number {
    return (this.o.clock ?? performance.now.bind(performance))();
  }

  /**
   * Wait until this process holds the lease (at once when it is free). `onWait` is told who holds it
   * while we wait, and that holder's ttl. Rejects with the signal's reason when `signal` aborts first.
   */
  async acquire(signal: AbortSignal, onWait?: (holder: string, ttlMs: number) => void): Promise<Tenure> {
    const poll = this.o.pollMs ?? Math.min(1000, this.o.ttlMs / 4);
    let seen: { revision: number; since: number } | undefined;
    let told = "";
    let failing = "";
    for (;;) {
      signal.throwIfAborted();
      try {
        const entry = await this.kv.get(this.o.name);
        failing = "";
        // Free: never taken, or let go (a delete marker).
        if (entry?.operation !== "PUT") {
          this.revision = await this.kv.create(this.o.name, this.value());
          return this.lead();
        }
        const current = parseHolding(entry.value);
        if (current?.holder === this.holder) {
          // Still ours from a tenure that ended (renewals failed while NATS was away): take it back.
          this.revision = await this.kv.update(this.o.name, this.value(), entry.revision);
          return this.lead();
        }
        if (holderGone(current)) {
          // Its process is gone from this machine: no need to wait for the ttl.
          this.revision = await this.kv.update(this.o.name, this.value(), entry.revision);
          this.o.log.warn(
            { lease: this.o.name, from: current?.holder },
            "lease taken over from a holder that no longer runs",
          );
          return this.lead();
        }
        if (seen?.revision !== entry.revision) seen = { revision: entry.revision, since: this.now() };
        else if (this.now() - seen.since >= (current?.ttl_ms ?? this.o.ttlMs)) {
          // Not renewed for a whole ttl: its holder is gone. Only one standby's update can succeed.
          this.revision = await this.kv.update(this.o.name, this.value(), entry.revision);
          this.o.log.warn(
            { lease: this.o.name, from: current?.holder },
            "lease taken over from a silent holder",
          );
          return this.lead();
        }
        const holder = current?.holder ?? "unknown";
        if (holder !== told) onWait?.(holder, current?.ttl_ms ?? this.o.ttlMs);
        told = holder;
      } catch (err) {
        // Said once per kind of failure, not at every poll while NATS is away.
        const why = errorMessage(err);
        if (!isConflict(err) && why !== failing)
          this.o.log.warn({ err: why, lease: this.o.name }, "lease check failed; retrying");
        failing = why;
      }
      await sleep(poll, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Give the lease up (only if still ours), so a standby takes over at once. */
  async release(): Promise<void> {
    const tenure = this.tenure;
    this.tenure = undefined;
    tenure?.abort(new Error("released"));
    await this.renewing;
    if (!tenure || this.revision === 0) return;
    await this.kv.delete(this.o.name, { previousSeq: this.revision }).catch(() => undefined);
    this.revision = 0;
  }

  private value(): string {
    const h: Holding = {
      holder: this.holder,
      ttl_ms: this.o.ttlMs,
      ...(SPACE ? { space: SPACE, pid: process.pid } : {}),
    };
    return JSON.stringify(h);
  }

  private lead(): Tenure {
    const tenure = new AbortController();
    this.tenure = tenure;
    this.renewing = this.renew(tenure);
    return { lost: tenure.signal };
  }

  /** Renew every ttl/3; give up (the tenure ends) on a conflict or after 2/3 ttl without a renewal. */
  private async renew(tenure: AbortController): Promise<void> {
    let renewed = this.now();
    const every = this.o.ttlMs / 3;
    while (!tenure.signal.aborted) {
      await sleep(every, undefined, { signal: tenure.signal }).catch(() => undefined);
      if (tenure.signal.aborted) return;
      try {
        // A renewal that hangs (NATS away) must not outlast its turn.
        this.revision = await this.kv.update(this.o.name, this.value(), this.revision, every);
        renewed = this.now();
      } catch (err) {
        const late = this.now() - renewed >= (2 * this.o.ttlMs) / 3;
        if (isConflict(err) || late) {
          // A warning, not an error: leadership moving (or coming back once NATS does) is the lease
          // doing its job; the tenure ends and this process stands by or leads again.
          this.o.log.warn(
            { err: errorMessage(err), lease: this.o.name, holder: this.holder },
            isConflict(err) ? "lease lost: another process holds it" : "lease lost: could not renew in time",
          );
          this.revision = 0;
          tenure.abort(new Error("lease lost"));
          return;
        }
        this.o.log.warn({ err: errorMessage(err), lease: this.o.name }, "lease renewal failed; retrying");
      }
    }
  }
}

/** Who holds a lease, for health checks: `live` while its last renewal is younger than its ttl. */
export type LeaseStatus = {
  holder: string | null;
  renewed_at: string | null;
  ttl_ms: number | null;
  live: boolean;
};

/** What a lease nobody holds (or nobody could be asked about) looks like. */
export const NO_HOLDER: LeaseStatus = { holder: null, renewed_at: null, ttl_ms: null, live: false };

/** The leases bucket, for reading leases without taking part (see leaseStatus). */
export function openLeases(nc: Connection): Promise<KV> {
  return new Kvm(nc).open(LEASES_BUCKET);
}

/** Read a lease without taking part (the renewal time is the server's; clocks may differ a little). */
export async function leaseStatus(leases: KV, name: string, now = Date.now()): Promise<LeaseStatus> {
  const entry = await leases.get(name);
  const held = entry?.operation === "PUT" ? parseHolding(entry.value) : undefined;
  if (!entry || !held) return NO_HOLDER;
  return {
    holder: held.holder,
    renewed_at: entry.created.toISOString(),
    ttl_ms: held.ttl_ms,
    live: now - entry.created.getTime() < held.ttl_ms,
  };
}

function parseHolding(value: Uint8Array): Holding | undefined {
  const parsed = decodeWith(Holding, value);
  return parsed.ok ? parsed.value : undefined;
}

/** The server refused a compare-and-set: someone else wrote the lease first. */
function isConflict(err: unknown): boolean {
  return isWrongLastSequence(err);
}
