// Outputs, prompts and handoff context live in a JetStream object store; events carry the keys.
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { NotFoundError } from "../errors/index.ts";
import { OUTPUTS_BUCKET } from "../events/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Prompts up to this size travel inline in events; larger ones by reference. */
export const INLINE_LIMIT_BYTES = 32 * 1024;

export const ArtifactKeys = {
  output: (taskId: string, attempt: number) => `outputs/${taskId}/${attempt}`,
  prompt: (taskId: string, attempt: number) => `prompts/${taskId}/${attempt}`,
  basePrompt: (taskId: string) => `prompts/${taskId}/base`,
} as const;

export class Artifacts {
  private constructor(private readonly store: ObjectStore) {}

  /** Open the outputs bucket (provisionTopology creates it). */
  static async open(nc: NatsConnection): Promise<Artifacts> {
    return new Artifacts(await new Objm(nc).open(OUTPUTS_BUCKET));
  }

  /** Store text under a key (overwrites); returns its size in bytes. */
  async putText(key: string, text: string): Promise<number> {
    const bytes = encoder.encode(text);
    await this.store.putBlob({ name: key }, bytes);
    return bytes.byteLength;
  }

  /** Read text by key, or throw NotFoundError. */
  async getText(key: string): Promise<string> {
    const bytes = await this.store.getBlob(key);
    if (!bytes) throw new NotFoundError(`artifact ${key}`);
    return decoder.decode(bytes);
  }

  /** Read text by key, or undefined when absent. */
  async findText(key: string): Promise<string | undefined> {
    const bytes = await this.store.getBlob(key);
    return bytes ? decoder.decode(bytes) : undefined;
  }
}

/** Resolve a TextRef (inline or stored) to its text. */
export async function resolveText(
  artifacts: Artifacts,
  ref: { inline: string } | { ref: string },
): Promise<string> {
  return "inline" in ref ? ref.inline : artifacts.getText(ref.ref);
}
