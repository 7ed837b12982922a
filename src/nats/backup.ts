// `agents backup DIR` / `agents restore DIR`: every stream of the system (events, work queue, the
// outputs object store, the leases KV bucket) through JetStream's snapshot API, so a restore has
// the same messages at the same sequences and the consumers with their state. DIR holds one
// `<stream>.tar.s2` (the server's own format) and `<stream>.json` (config and state) per stream and
// a `backup.json` manifest with each file's size and SHA-256, checked before anything is restored.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import { AgentsError, ErrorCode } from "../core/errors.ts";
import {
  LEASES_BUCKET,
  ORCHESTRATOR_SNAPSHOTS_BUCKET,
  OUTPUTS_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  SYSTEM_BUCKET,
} from "../core/events/subjects.ts";
import { RESTORE_CHUNK_BYTES, restoreStream, SnapshotMeta, snapshotStream } from "./snapshot.ts";

/**
 * The streams in backup order. Events before objects: every object an event refers to was written
 * before the event, so it is in the later objects snapshot too. The fold snapshots travel too: once
 * retention removed the stream's first events, they hold what a fold can no longer read; each
 * names the sequence it covers, and one past the backed-up stream's end is ignored after a restore.
 */
export const BACKUP_STREAMS = [
  STREAM_EVENTS,
  STREAM_WORK,
  `OBJ_${OUTPUTS_BUCKET}`,
  `OBJ_${ORCHESTRATOR_SNAPSHOTS_BUCKET}`,
  `OBJ_${PROJECTION_SNAPSHOTS_BUCKET}`,
  `KV_${LEASES_BUCKET}`,
  `KV_${SYSTEM_BUCKET}`,
];

const MANIFEST = "backup.json";

const Manifest = z.object({
  format: z.literal(1),
  created_at: z.iso.datetime(),
  server: z.object({ version: z.string(), name: z.string() }),
  streams: z.array(
    z.object({
      name: z.string(),
      data_file: z.string(),
      meta_file: z.string(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string(),
      messages: z.number(),
      first_seq: z.number(),
      last_seq: z.number(),
    }),
  ),
});
export type Manifest = z.infer<typeof Manifest>;

/** What a long backup or restore reports as it goes. */
export type BackupProgress =
  | { kind: "stream"; stream: string; messages: number; bytes: number }
  | { kind: "bytes"; stream: string; bytes: number }
  | { kind: "done"; stream: string; bytes: number; ms: number };

export type BackupOptions = {
  onProgress?: (p: BackupProgress) => void;
  /** The connection's inbox prefix (NATS_INBOX_PREFIX): snapshot chunks are delivered under it. */
  inboxPrefix?: string | undefined;
};

/** Refused on purpose (a stream exists, a file does not match): the message says what to do. */
export class BackupError extends AgentsError {
  constructor(message: string) {
    super(ErrorCode.ValidationFailed, message);
  }
}

const dataFile = (stream: string) => `${stream}.tar.s2`;
const metaFile = (stream: string) => `${stream}.json`;

/** Snapshot every stream of the system into `dir` (created; must hold no earlier backup). */
export async function backup(nc: NatsConnection, dir: string, o: BackupOptions = {}): Promise<Manifest> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).includes(MANIFEST))
    throw new BackupError(`${join(dir, MANIFEST)} exists: back up into an empty folder`);
  const jsm = await jetstreamManager(nc);
  const streams: Manifest["streams"] = [];
  for (const name of BACKUP_STREAMS) {
    const info = await jsm.streams.info(name).catch(() => null);
    if (!info) throw new BackupError(`stream ${name} does not exist: is this the system's NATS server?`);
    o.onProgress?.({ kind: "stream", stream: name, messages: info.state.messages, bytes: info.state.bytes });
    const t0 = Date.now();
    const partial = join(dir, `${dataFile(name)}.partial`);
    const out = await open(partial, "w");
    let meta: SnapshotMeta;
    try {
      meta = await snapshotStream(nc, name, out, {
        inboxPrefix: o.inboxPrefix,
        onProgress: (bytes) => o.onProgress?.({ kind: "bytes", stream: name, bytes }),
      });
      await out.sync();
    } finally {
      await out.close();
    }
    // Only a finished snapshot gets its real name, so a crash never leaves a file that looks whole.
    await rename(partial, join(dir, dataFile(name)));
    await writeFile(join(dir, metaFile(name)), `${JSON.stringify(meta, null, 2)}\n`);
    const { bytes, sha256 } = await digest(join(dir, dataFile(name)));
    streams.push({
      name,
      data_file: dataFile(name),
      meta_file: metaFile(name),
      bytes,
      sha256,
      messages: meta.state.messages,
      first_seq: meta.state.first_seq,
      last_seq: meta.state.last_seq,
    });
    o.onProgress?.({ kind: "done", stream: name, bytes, ms: Date.now() - t0 });
  }
  const manifest: Manifest = {
    format: 1,
    created_at: new Date().toISOString(),
    server: { version: nc.info?.version ?? "unknown", name: nc.info?.server_name ?? "unknown" },
    streams,
  };
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Read and check a backup: its manifest, and every file's size and SHA-256. */
export async function readBackup(
  dir: string,
): Promise<{ manifest: Manifest; metas: Map<string, SnapshotMeta> }> {
  const text = await readFile(join(dir, MANIFEST), "utf8").catch(() => {
    throw new BackupError(
      `${join(dir, MANIFEST)} is missing: ${dir} is not a backup made by \`agents backup\``,
    );
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupError(`${join(dir, MANIFEST)} is not JSON`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success)
    throw new BackupError(`${join(dir, MANIFEST)} is not a backup manifest of this version`);
  const metas = new Map<string, SnapshotMeta>();
  for (const s of parsed.data.streams) {
    const file = join(dir, s.data_file);
    const size = await stat(file).then(
      (st) => st.size,
      () => -1,
    );
    if (size !== s.bytes)
      throw new BackupError(`${file}: ${size < 0 ? "missing" : `${size} bytes, expected ${s.bytes}`}`);
    if ((await digest(file)).sha256 !== s.sha256)
      throw new BackupError(`${file}: its SHA-256 does not match the manifest`);
    const meta = SnapshotMeta.safeParse(JSON.parse(await readFile(join(dir, s.meta_file), "utf8")));
    if (!meta.success || meta.data.config.name !== s.name)
      throw new BackupError(`${join(dir, s.meta_file)} is not the snapshot metadata of ${s.name}`);
    metas.set(s.name, meta.data);
  }
  return { manifest: parsed.data, metas };
}

/**
 * Restore a backup into a server that has none of its streams (checked first, so nothing is half
 * done by a refusal). Sequences, message ids and consumers come back exactly as they were.
 */
export async function restore(nc: NatsConnection, dir: string, o: BackupOptions = {}): Promise<Manifest> {
  const { manifest, metas } = await readBackup(dir);
  const jsm = await jetstreamManager(nc);
  const present = [];
  for (const s of manifest.streams)
    if (await jsm.streams.info(s.name).catch(() => null)) present.push(s.name);
  if (present.length > 0)
    throw new BackupError(
      `the server already has ${present.join(", ")}: restore into a server without them (or delete them first)`,
    );
  for (const s of manifest.streams) {
    const meta = metas.get(s.name);
    if (!meta) continue;
    o.onProgress?.({ kind: "stream", stream: s.name, messages: s.messages, bytes: s.bytes });
    const t0 = Date.now();
    const chunks = createReadStream(join(dir, s.data_file), { highWaterMark: RESTORE_CHUNK_BYTES });
    const state = await restoreStream(nc, meta, chunks, (bytes) =>
      o.onProgress?.({ kind: "bytes", stream: s.name, bytes }),
    );
    if (state.last_seq !== s.last_seq || state.messages !== s.messages)
      throw new BackupError(
        `${s.name} restored with ${state.messages} messages up to ${state.last_seq}, the backup has ${s.messages} up to ${s.last_seq}`,
      );
    o.onProgress?.({ kind: "done", stream: s.name, bytes: s.bytes, ms: Date.now() - t0 });
  }
  return manifest;
}

async function digest(file: string): Promise<{ bytes: number; sha256: string }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: h.digest("hex") };
}
