// Read-model documents as the API shows them: without store bookkeeping (`_key`).
/** A document without its `_key`. */
export function present<T extends { _key: string }>(doc: T): Omit<T, "_key"> {
  const { _key: _, ...rest } = doc;
  return rest;
}
