// The price table a process uses: the dated defaults, with the AGENTS_PRICES file merged over them.
// Read once at start; a file that is missing or does not fit is a ConfigError naming the file and
// the field, so a typo never silently leaves a model unpriced (or priced at $0).
import { readFileSync } from "node:fs";
import { ConfigError, errorMessage } from "../core/errors.ts";
import { mergePrices, PriceFile, type PriceTable } from "../core/providers/pricing.ts";

/** The defaults merged with the file at `path` (none: the defaults). */
export function loadPrices(path: string | undefined): PriceTable {
  if (!path) return mergePrices(undefined);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`AGENTS_PRICES=${path}: cannot read it as JSON (${errorMessage(err)})`);
  }
  const parsed = PriceFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(
      `AGENTS_PRICES=${path} does not fit {"as_of"?: "…", "models": {"NAME": {"input_per_mtok": N, "output_per_mtok": N, "cache_read_per_mtok"?: N, "cache_write_per_mtok"?: N} | null}}: ${issues.join("; ")}`,
    );
  }
  return mergePrices(parsed.data);
}
