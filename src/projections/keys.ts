// Document keys and the spec key: values every store accepts, derived the same way everywhere.
import { stableId } from "../core/ids.ts";

// ArangoDB's allowed key characters; other stores accept them too.
const SAFE_KEY = /^[A-Za-z0-9_\-:.@()+,=;$!*'%]{1,254}$/;

/** A document key: the value itself when every store accepts it, else a stable hash of it. */
export function docKey(raw: string): string {
  if (SAFE_KEY.test(raw)) return raw;
  let key = hashed.get(raw);
  if (key === undefined) {
    if (hashed.size >= 10_000) hashed.clear();
    key = `h_${stableId("key", raw)}`;
    hashed.set(raw, key);
  }
  return key;
}

// Hashing is the costly part and few values need it (model names): remember recent ones.
const hashed = new Map<string, string>();
