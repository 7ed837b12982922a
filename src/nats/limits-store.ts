// The models' shared limit state in the `agents-limits` KV bucket: one key per model, written only by
// compare-and-set on the entry's revision. A watch on the bucket keeps a mirror in this process, so a
// worker decides from what it has already seen and pays one round trip (the conditional write) per
// call; a conflict (another worker wrote first) costs a read and another try.
import { type KV, Kvm, type KvWatchEntry } from "@nats-io/kv";
import { errorMessage } from "../core/errors.ts";
import { decodeWith } from "../core/events/codec.ts";
import { LIMITS_BUCKET } from "../core/events/subjects.ts";
import { EMPTY_LIMIT_STATE, LimitState } from "../core/limits/window.ts";
import type { LimitEntry, LimitsStore } from "../core/ports/limits-store.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { Connection } from "./connection.ts";
import { isWrongLastSequence } from "./event-store.ts";
import { bucketKeys } from "./kv-keys.ts";

/** A model name as a KV key (keys allow only [-_=./a-zA-Z0-9]; model names may hold anything). */
export function limitKey(model: string): string {
  return Buffer.from(model, "utf8").toString("base64url");
}

function modelOf(key: string): string {
  return Buffer.from(key, "base64url").toString("utf8");
}

/** Every model's limit state in the bucket now (for status; read only: no watch, no mirror). */
export async function readAllLimits(nc: Connection): Promise<Array<{ model: string; state: LimitState }>> {
  const kv = await new Kvm(nc).open(LIMITS_BUCKET);
  const out: Array<{ model: string; state: LimitState }> = [];
  for (const key of await bucketKeys(nc, LIMITS_BUCKET)) {
    const e = await kv.get(key);
    if (e?.operation !== "PUT") continue;
    const parsed = decodeWith(LimitState, e.value);
    if (parsed.ok) out.push({ model: modelOf(key), state: parsed.value });
  }
  return out;
}

export class JetStreamLimitsStore implements LimitsStore {
  private readonly mirror = new Map<string, LimitEntry>();
  private readonly listeners = new Set<(model: string) => void>();
  private watching: { stop(): void } | undefined;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  /** Open the bucket (provisionTopology creates it) and start mirroring it. */
  static async open(nc: Connection, log: Logger): Promise<JetStreamLimitsStore> {
    const store = new JetStreamLimitsStore(await new Kvm(nc).open(LIMITS_BUCKET), log);
    const watch = await store.kv.watch({ key: ">" });
    store.watching = watch;
    store.loop = (async () => {
      for await (const e of watch) store.seen(e);
    })().catch((err: unknown) => log.warn({ err: errorMessage(err) }, "limits watch ended"));
    return store;
  }

  cached(model: string): LimitEntry | undefined {
    return this.mirror.get(model);
  }

  async read(model: string): Promise<LimitEntry | undefined> {
    const e = await this.kv.get(limitKey(model));
    if (e?.operation !== "PUT") return undefined;
    return this.keep(model, e.value, e.revision);
  }

  async write(model: string, state: LimitState, revision: number): Promise<number | undefined> {
    const value = JSON.stringify(state);
    try {
      const key = limitKey(model);
      const next =
        revision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, revision);
      this.remember(model, { state, revision: next });
      return next;
    } catch (err) {
      if (isWrongLastSequence(err)) return undefined;
      throw err;
    }
  }

  onChange(listener: (model: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.watching?.stop();
    await this.loop;
  }

  private seen(e: KvWatchEntry): void {
    if (e.operation !== "PUT") return;
    const model = modelOf(e.key);
    this.keep(model, e.value, e.revision);
    for (const l of this.listeners) l(model);
  }

  /** Mirror a stored value; a malformed one (not ours) is ignored and overwritten by the next write. */
  private keep(model: string, value: Uint8Array, revision: number): LimitEntry | undefined {
    const parsed = decodeWith(LimitState, value);
    if (!parsed.ok) {
      this.log.warn({ model, revision }, "limit state is malformed; it will be replaced");
      const entry = { state: EMPTY_LIMIT_STATE, revision };
      this.remember(model, entry);
      return entry;
    }
    const entry = { state: parsed.value, revision };
    this.remember(model, entry);
    return entry;
  }

  private remember(model: string, entry: LimitEntry): void {
    const known = this.mirror.get(model);
    if (!known || known.revision < entry.revision) this.mirror.set(model, entry);
  }
}
