// Snapshots of folded state (the orchestrator's, the projections') in a JetStream object store, so a
// cold start reads a snapshot plus the tail of the stream. An object is named after what it holds
// (one per fold, replaced by each newer one); its body is JSON lines; its header, kept in the
// object's metadata so it can be checked before the body is read, names the kind and version of
// the shape and the stream sequence the fold covers, with the subject and message id found at that
// sequence when it was written (the anchor: a snapshot of another stream, e.g. one recreated or
// restored from an older backup, does not match it and is ignored).
import { createHash } from "node:crypto";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { type ObjectInfo, type ObjectStore, Objm } from "@nats-io/obj";
import { z } from "zod";
import type { Connection } from "./connection.ts";
import { StreamReader } from "./stream-reader.ts";

const SnapshotHeader = z.object({
  format: z.literal(1),
  /** What the body holds, e.g. "orchestrator" or "projections". */
  kind: z.string(),
  /** The version of that kind's shape; a reader ignores any other. */
  version: z.number().int(),
  /** The last stream sequence folded into it. */
  seq: z.number().int().nonnegative(),
  /** The message at `seq` when the snapshot was written (null: none, e.g. seq 0). */
  anchor: z.object({ subject: z.string(), msg_id: z.string().nullable() }).nullable(),
  created_at: z.iso.datetime(),
});
export type SnapshotHeader = z.infer<typeof SnapshotHeader>;

/** What a reader finds: a usable snapshot, or why there is none. */
export type FoundSnapshot =
  | { ok: true; header: SnapshotHeader; lines: () => AsyncGenerator<string> }
  | { ok: false; reason: string };

const META_KEY = "snapshot";
/** A snapshot read that receives nothing for this long has failed (ms). */
const READ_IDLE_MS = 30_000;
const encoder = new TextEncoder();
/** Body bytes handed to the object store at a time (its chunks are 128 KiB). */
const WRITE_BUFFER = 512 * 1024;

/** One bucket of fold snapshots (provisionTopology creates it). */
export class SnapshotBucket {
  private constructor(
    private readonly store: ObjectStore,
    private readonly reader: StreamReader,
    private readonly js: JetStreamClient,
    readonly bucket: string,
  ) {}

  static async open(nc: Connection, bucket: string): Promise<SnapshotBucket> {
    return new SnapshotBucket(await new Objm(nc).open(bucket), new StreamReader(nc), jetstream(nc), bucket);
  }

  /**
   * Store a snapshot under `name` (replacing the one before): `lines` is its body, one JSON value a
   * line. Returns the header written and the body's size in bytes.
   */
  async write(
    name: string,
    h: { kind: string; version: number; seq: number },
    lines: Iterable<string>,
  ): Promise<{ header: SnapshotHeader; bytes: number }> {
    const header: SnapshotHeader = {
      format: 1,
      ...h,
      anchor: h.seq > 0 ? await this.reader.messageAt(h.seq) : null,
      created_at: new Date().toISOString(),
    };
    const info = await this.store.put(
      {
        name,
        description: `${h.kind} v${h.version} at sequence ${h.seq}`,
        metadata: { [META_KEY]: JSON.stringify(header) },
      },
      bodyStream(lines),
    );
    return { header, bytes: info.size };
  }

  /**
   * The snapshot under `name` when it is of this kind and version and belongs to this stream (its
   * sequence is not past the stream's end, and its anchor still matches unless retention removed it).
   * `lines()` yields the body and throws at its end when the object is corrupt (digest mismatch).
   */
  async read(name: string, want: { kind: string; version: number }): Promise<FoundSnapshot> {
    const info = await this.store.info(name);
    if (!info || info.deleted) return { ok: false, reason: "no snapshot" };
    let raw: unknown;
    try {
      raw = JSON.parse(info.metadata?.[META_KEY] ?? "");
    } catch {
      return { ok: false, reason: "its header is not JSON" };
    }
    const parsed = SnapshotHeader.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: "its header is not a snapshot header of format 1" };
    const header = parsed.data;
    if (header.kind !== want.kind || header.version !== want.version)
      return {
        ok: false,
        reason: `it is ${header.kind} version ${header.version}; this code reads ${want.kind} version ${want.version}`,
      };
    const bounds = await this.reader.bounds();
    if (header.seq > bounds.last_seq)
      return {
        ok: false,
        reason: `it covers sequence ${header.seq} but the stream ends at ${bounds.last_seq} (another or an older stream)`,
      };
    if (header.anchor) {
      const now = await this.reader.messageAt(header.seq);
      if (now && (now.subject !== header.anchor.subject || now.msg_id !== header.anchor.msg_id))
        return {
          ok: false,
          reason: `the message at sequence ${header.seq} is not the one it was written after`,
        };
    }
    return { ok: true, header, lines: () => this.lines(info) };
  }

  private async *lines(info: ObjectInfo): AsyncGenerator<string> {
    const decoder = new TextDecoder();
    let rest = "";
    const hash = createHash("sha256");
    for await (const chunk of this.chunks(info)) {
      hash.update(chunk);
      const text = rest + decoder.decode(chunk, { stream: true });
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) if (p !== "") yield p;
    }
    rest += decoder.decode();
    if (rest !== "") yield rest;
    const b64 = hash.digest("base64url");
    const digest = `SHA-256=${b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")}`;
    if (digest !== info.digest)
      throw new Error(`snapshot ${info.name} is corrupt: digest ${digest}, expected ${info.digest}`);
  }

  /**
   * An object's chunks through one ordered consumer. Not the client's own get: it checks the digest
   * with a SHA-256 written in JavaScript, several times slower than node's for a large snapshot.
   */
  private async *chunks(info: ObjectInfo): AsyncGenerator<Uint8Array> {
    if (info.chunks === 0) return;
    const consumer = await this.js.consumers.get(`OBJ_${this.bucket}`, {
      filter_subjects: `$O.${this.bucket}.C.${info.nuid}`,
    });
    const messages = await consumer.consume({ max_messages: 64 });
    let seen = 0;
    const idle = setTimeout(() => void messages.close().catch(() => undefined), READ_IDLE_MS);
    try {
      for await (const m of messages) {
        idle.refresh();
        yield m.data;
        if (++seen >= info.chunks) break;
      }
    } finally {
      clearTimeout(idle);
      void messages.close().catch(() => undefined);
      consumer.delete().catch(() => undefined);
    }
    if (seen < info.chunks)
      throw new Error(`snapshot ${info.name}: ${seen} of ${info.chunks} chunks arrived`);
  }
}

// The lines as a byte stream, a buffer at a time, so a large body is never one string.
function bodyStream(lines: Iterable<string>): ReadableStream<Uint8Array> {
  const it = lines[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let buf = "";
      for (;;) {
        const next = it.next();
        if (next.done) {
          if (buf !== "") controller.enqueue(encoder.encode(buf));
          controller.close();
          return;
        }
        buf += `${next.value}\n`;
        if (buf.length >= WRITE_BUFFER) {
          controller.enqueue(encoder.encode(buf));
          return;
        }
      }
    },
  });
}
