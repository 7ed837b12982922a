// Outputs, prompts and handoff context live in a JetStream object store; events carry the keys
// (see src/core/ports/artifact-store.ts for the port and the keys).
import { createHash } from "node:crypto";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { type ObjectInfo, type ObjectStore, Objm } from "@nats-io/obj";
import { AgentsError, ErrorCode, NotFoundError } from "../core/errors.ts";
import { OUTPUTS_BUCKET } from "../core/events/index.ts";
import type { ArtifactStore } from "../core/ports/artifact-store.ts";
import type { Connection } from "./connection.ts";

const OUTPUTS_STREAM = `OBJ_${OUTPUTS_BUCKET}`;
const DIGEST_PREFIX = "SHA-256=";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The artifact store on the `agents-outputs` object store bucket. */
export class Artifacts implements ArtifactStore {
  private constructor(
    private readonly store: ObjectStore,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Open the outputs bucket (provisionTopology creates it). */
  static async open(nc: Connection): Promise<Artifacts> {
    const [store, jsm] = await Promise.all([
      new Objm(nc).open(OUTPUTS_BUCKET),
      jetstreamManager(nc, { checkAPI: false }),
    ]);
    return new Artifacts(store, jsm);
  }

  /** Store text under a key (overwrites); returns its size in bytes. */
  async putText(key: string, text: string): Promise<number> {
    const bytes = encoder.encode(text);
    await this.store.putBlob({ name: key }, bytes);
    return bytes.byteLength;
  }

  /** Read text by key, or throw NotFoundError. */
  async getText(key: string): Promise<string> {
    const bytes = await this.read(key);
    if (!bytes) throw new NotFoundError(`artifact ${key}`);
    return decoder.decode(bytes);
  }

  /** Read text by key, or undefined when absent. */
  async findText(key: string): Promise<string | undefined> {
    const bytes = await this.read(key);
    return bytes ? decoder.decode(bytes) : undefined;
  }

  /** Store bytes under a key (overwrites); returns their size. */
  async putBytes(key: string, bytes: Uint8Array): Promise<number> {
    await this.store.putBlob({ name: key }, bytes);
    return bytes.byteLength;
  }

  /** Read bytes by key, or undefined when absent. */
  async findBytes(key: string): Promise<Uint8Array | undefined> {
    return (await this.read(key)) ?? undefined;
  }

  /**
   * An object's bytes, or null. Almost every artifact is one chunk (up to 128 KiB): read it with a
   * direct get and check its digest, instead of the client's general path, which creates a consumer
   * on the server for every read. Larger, linked or just-replaced objects take the general path.
   */
  private async read(key: string): Promise<Uint8Array | null> {
    const info = await this.store.info(key);
    if (!info || info.deleted) return null;
    if (info.chunks === 1 && !info.options?.link) {
      const chunk = await this.jsm.streams.getMessage(OUTPUTS_STREAM, {
        last_by_subj: `$O.${OUTPUTS_BUCKET}.C.${info.nuid}`,
      });
      if (chunk) return verified(info, chunk.data);
    }
    return this.store.getBlob(key);
  }
}

/** The bytes when their SHA-256 matches the object's digest; else the object is corrupt. */
function verified(info: ObjectInfo, data: Uint8Array): Uint8Array {
  const b64 = createHash("sha256").update(data).digest("base64url");
  const digest = DIGEST_PREFIX + b64.padEnd(Math.ceil(b64.length / 4) * 4, "=");
  if (digest !== info.digest)
    throw new AgentsError(
      ErrorCode.Internal,
      `artifact ${info.name} is corrupt: digest ${digest}, expected ${info.digest}`,
    );
  return data;
}
