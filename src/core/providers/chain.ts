// The model fallback chain: a task names a primary model and fallbacks, tried in order (they may
// route to different executors).

/** The model after `current` in the chain [primary, ...fallbacks], if any. */
export function nextModel(
  primary: string,
  fallbacks: readonly string[],
  current: string,
): string | undefined {
  const chain = [primary, ...fallbacks];
  const i = chain.indexOf(current);
  return i >= 0 ? chain[i + 1] : undefined;
}
