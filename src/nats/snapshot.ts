// JetStream's own stream snapshot and restore API (what `nats stream backup` uses): the server
// streams its stream directory (messages with their sequences, and consumers with their state) as
// chunks, and takes them back into a server that does not have the stream. nats.js has no client
// for it, so this is one, on plain request/reply.
import type { FileHandle } from "node:fs/promises";
import { createInbox, Empty, type NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import { AgentsError, ErrorCode } from "../core/errors.ts";

/** How long one API answer or restore chunk acknowledgement may take (ms). */
const REQUEST_TIMEOUT_MS = 30_000;
/** A snapshot that sends nothing for this long has failed (ms). */
const SNAPSHOT_IDLE_MS = 60_000;
/** The server rebuilds the stream after the last chunk; that can take long for a big one (ms). */
const FINISH_TIMEOUT_MS = 30 * 60_000;
/** Chunk size of snapshots (bytes; the server's default is 128 KiB). */
const SNAPSHOT_CHUNK_BYTES = 128 * 1024;
/** Chunk size of restores (bytes): well under the default 1 MiB max payload. */
export const RESTORE_CHUNK_BYTES = 64 * 1024;

const ApiError = z.object({ code: z.number(), description: z.string().optional() });
/** The stream's config and state at the snapshot, as the server tells them; restore sends them back. */
export const SnapshotMeta = z.object({
  config: z.looseObject({ name: z.string() }),
  state: z.looseObject({
    messages: z.number(),
    bytes: z.number(),
    first_seq: z.number(),
    last_seq: z.number(),
    consumer_count: z.number().optional(),
  }),
});
export type SnapshotMeta = z.infer<typeof SnapshotMeta>;

/** A failure of the snapshot API, with the server's own description. */
export class SnapshotError extends AgentsError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Unavailable, message, cause === undefined ? undefined : { cause });
  }
}

/** Progress of one stream's snapshot or restore: bytes moved so far. */
export type Progress = (bytes: number) => void;

const decoder = new TextDecoder();

/** Parse an API answer; an `error` in it becomes a SnapshotError naming the operation. */
function answer<S extends z.ZodType>(what: string, data: Uint8Array, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(data));
  } catch {
    throw new SnapshotError(`${what}: the server's answer is not JSON`);
  }
  const err = z.object({ error: ApiError }).safeParse(raw);
  if (err.success)
    throw new SnapshotError(`${what}: ${err.data.error.description ?? "error"} (${err.data.error.code})`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new SnapshotError(`${what}: unexpected answer ${decoder.decode(data).slice(0, 200)}`);
  return parsed.data;
}

/**
 * Snapshot one stream (with its consumers) into `out`; resolves with its config and state. The
 * server asks for an acknowledgement every few chunks (its flow control); each is sent only once
 * the chunk before it is written.
 */
export async function snapshotStream(
  nc: NatsConnection,
  stream: string,
  out: FileHandle,
  o: { onProgress?: Progress; inboxPrefix?: string | undefined } = {},
): Promise<SnapshotMeta> {
  // The chunks come to an inbox under the connection's prefix (the one its user may read).
  const inbox = createInbox(o.inboxPrefix);
  const sub = nc.subscribe(inbox);
  try {
    const req = {
      deliver_subject: inbox,
      no_consumers: false,
      chunk_size: SNAPSHOT_CHUNK_BYTES,
      jsck: false,
    };
    const res = await nc.request(`$JS.API.STREAM.SNAPSHOT.${stream}`, JSON.stringify(req), {
      timeout: REQUEST_TIMEOUT_MS,
    });
    const meta = answer(`snapshot of ${stream}`, res.data, SnapshotMeta);
    let bytes = 0;
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => sub.unsubscribe(), SNAPSHOT_IDLE_MS);
    };
    arm();
    let done = false;
    try {
      for await (const m of sub) {
        arm();
        // An empty message ends the snapshot: status 204 when it succeeded.
        if (m.data.length === 0) {
          const code = m.headers?.code ?? 204;
          if (code !== 204)
            throw new SnapshotError(`snapshot of ${stream} failed: ${m.headers?.description ?? code}`);
          done = true;
          break;
        }
        await out.write(m.data);
        bytes += m.data.length;
        o.onProgress?.(bytes);
        if (m.reply) m.respond(Empty);
      }
    } finally {
      clearTimeout(idle);
    }
    if (!done) throw new SnapshotError(`snapshot of ${stream}: nothing arrived for ${SNAPSHOT_IDLE_MS} ms`);
    return meta;
  } finally {
    sub.unsubscribe();
  }
}

/**
 * Restore one stream from its snapshot into a server that does not have it: the same messages at
 * the same sequences, and its consumers with their state. Resolves with the restored state.
 */
export async function restoreStream(
  nc: NatsConnection,
  meta: SnapshotMeta,
  data: AsyncIterable<Uint8Array>,
  onProgress?: Progress,
): Promise<SnapshotMeta["state"]> {
  const name = meta.config.name;
  const res = await nc.request(`$JS.API.STREAM.RESTORE.${name}`, JSON.stringify(meta), {
    timeout: REQUEST_TIMEOUT_MS,
  });
  const { deliver_subject } = answer(
    `restore of ${name}`,
    res.data,
    z.object({ deliver_subject: z.string() }),
  );
  let bytes = 0;
  for await (const chunk of data) {
    const ack = await nc.request(deliver_subject, chunk, { timeout: REQUEST_TIMEOUT_MS });
    // An empty answer takes the chunk; anything else is the server's error.
    if (ack.data.length > 0) answer(`restore of ${name}`, ack.data, z.never());
    bytes += chunk.length;
    onProgress?.(bytes);
  }
  const fin = await nc.request(deliver_subject, Empty, { timeout: FINISH_TIMEOUT_MS });
  return answer(`restore of ${name}`, fin.data, z.object({ state: SnapshotMeta.shape.state })).state;
}
