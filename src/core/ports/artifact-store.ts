// The port of the artifact store (outputs, exact prompts, handoff context); events carry the keys.
// Adapter: the JetStream object store (src/nats/artifacts.ts).
import type { TextRef } from "../events/catalogue/shared.ts";

/** Prompts up to this size travel inline in events; larger ones by reference. */
export const INLINE_LIMIT_BYTES = 32 * 1024;

export const ArtifactKeys = {
  output: (taskId: string, attempt: number) => `outputs/${taskId}/${attempt}`,
  prompt: (taskId: string, attempt: number) => `prompts/${taskId}/${attempt}`,
  basePrompt: (taskId: string) => `prompts/${taskId}/base`,
  /** A file the agent wrote in its task folder (`name` is its `/`-separated path there). */
  file: (taskId: string, attempt: number, name: string) => `artifacts/${taskId}/${attempt}/${name}`,
} as const;

export interface ArtifactStore {
  /** Store text under a key (overwrites); returns its size in bytes. */
  putText(key: string, text: string): Promise<number>;
  /** Read text by key, or throw NotFoundError. */
  getText(key: string): Promise<string>;
  /** Read text by key, or undefined when absent. */
  findText(key: string): Promise<string | undefined>;
  /** Store bytes under a key (overwrites); returns their size. */
  putBytes(key: string, bytes: Uint8Array): Promise<number>;
  /** Read bytes by key, or undefined when absent. */
  findBytes(key: string): Promise<Uint8Array | undefined>;
}

/** An output's text: inline in its event when it was small, else read from the store (undefined when absent). */
export async function findOutput(
  artifacts: ArtifactStore,
  o: { output_ref: string; output_inline?: string | undefined },
): Promise<string | undefined> {
  return o.output_inline ?? artifacts.findText(o.output_ref);
}

/** An attachment's text: inline when its source output was, else read from the store (or NotFoundError). */
export async function attachmentText(
  artifacts: ArtifactStore,
  a: { ref: string; inline?: string | undefined },
): Promise<string> {
  return a.inline ?? artifacts.getText(a.ref);
}

/** Resolve a TextRef (inline or stored) to its text. */
export async function resolveText(artifacts: ArtifactStore, ref: TextRef): Promise<string> {
  return "inline" in ref ? ref.inline : artifacts.getText(ref.ref);
}
