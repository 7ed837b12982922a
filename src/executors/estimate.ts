// Token counts for executors whose backend reports no usage.
import type { Usage } from "../core/ports/executor.ts";

/** A rough token count (4 characters per token). */
export function estimateUsage(prompt: string, output: string): Usage {
  return { input_tokens: Math.ceil(prompt.length / 4), output_tokens: Math.ceil(output.length / 4) };
}
