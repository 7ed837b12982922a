// The recorded system state in the agents-system KV bucket (key "state"): the leading orchestrator
// writes it after recording a stop, resume, pause or unpause (and at takeover); workers and the
// gateway read it at start and watch it. Writes are compare-and-set, and a record older than the one
// stored (a leader that lost its lease a moment ago) never replaces a newer one.
import { setTimeout as sleep } from "node:timers/promises";
import { type KV, Kvm } from "@nats-io/kv";
import { initialSystem, SystemRecord } from "../core/control/index.ts";
import { errorMessage } from "../core/errors.ts";
import { decodeWith, encodeJson, SYSTEM_BUCKET, SYSTEM_KEY } from "../core/events/index.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { Connection } from "./connection.ts";
import { isWrongLastSequence } from "./event-store.ts";

export class SystemRecords {
  private constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  /** Open the bucket (provisionTopology creates it). */
  static async open(nc: Connection, log: Logger): Promise<SystemRecords> {
    return new SystemRecords(await new Kvm(nc).open(SYSTEM_BUCKET), log);
  }

  /** The stored record, or the initial state when none was written yet (or it does not parse). */
  async read(): Promise<SystemRecord> {
    const entry = await this.kv.get(SYSTEM_KEY);
    return (entry?.operation === "PUT" ? this.parse(entry.value) : undefined) ?? initialSystem();
  }

  /** Store `record` unless the stored one is newer; retries a lost compare-and-set. */
  async write(record: SystemRecord): Promise<void> {
    for (let tries = 0; tries < 10; tries++) {
      const entry = await this.kv.get(SYSTEM_KEY);
      const stored = entry?.operation === "PUT" ? this.parse(entry.value) : undefined;
      // Unchanged: nothing to write (a takeover or a no-op command writes only what moved).
      if (stored && sameRecord(stored, record)) return;
      if (stored && (stored.control_seq > record.control_seq || stored.seq > record.seq)) return;
      try {
        if (entry) await this.kv.update(SYSTEM_KEY, encodeJson(record), entry.revision);
        else await this.kv.create(SYSTEM_KEY, encodeJson(record));
        return;
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
      }
    }
    throw new Error("system record: too many concurrent writers");
  }

  /**
   * Call `onRecord` with the stored record, then with every new one, until `signal` aborts. The watch
   * is opened again after a failure (the client's ordered consumer survives reconnects by itself).
   */
  async watch(onRecord: (r: SystemRecord) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const it = await this.kv.watch({ key: SYSTEM_KEY });
        const stop = () => it.stop();
        signal.addEventListener("abort", stop, { once: true });
        try {
          for await (const e of it) {
            const r = e.operation === "PUT" ? this.parse(e.value) : initialSystem();
            if (r) onRecord(r);
            if (signal.aborted) break;
          }
        } finally {
          signal.removeEventListener("abort", stop);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err: errorMessage(err) }, "system state watch failed; watching again");
      }
      await sleep(1000, undefined, { signal }).catch(() => undefined);
    }
  }

  // The bucket is plain KV that anyone with access could write: a value that does not parse is
  // refused loudly and changes nothing (a watcher keeps what it had).
  private parse(value: Uint8Array): SystemRecord | undefined {
    const p = decodeWith(SystemRecord, value);
    if (p.ok) return p.value;
    this.log.error({ issues: p.issues }, "the stored system state does not parse; ignoring it");
    return undefined;
  }
}

function sameRecord(a: SystemRecord, b: SystemRecord): boolean {
  return a.seq === b.seq && a.control_seq === b.control_seq;
}
