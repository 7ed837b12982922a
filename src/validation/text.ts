// Reading LLM output: fenced code blocks, JSON (bare, fenced or amid prose), the languages of fences.
import { errorMessage } from "../core/errors.ts";

/** One fenced code block; `lang` is the normalised info string ("" when untagged). */
export type FencedBlock = { lang: string; code: string };

const LANG_ALIASES: Record<string, string> = {
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  node: "javascript",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  py: "python",
  python3: "python",
  yml: "yaml",
};

/** Maps a fence tag or a `language` param to one canonical name ("py" → "python"). */
export function normalizeLang(lang: string): string {
  const lower = lang.trim().toLowerCase();
  return LANG_ALIASES[lower] ?? lower;
}

/** Extracts ``` and ~~~ fenced blocks; an unclosed fence runs to the end, as in CommonMark. */
export function fencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: { char: string; length: number; lang: string; body: string[] } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (open === undefined) {
      const start = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (start?.[1] !== undefined) {
        open = {
          char: start[1].charAt(0),
          length: start[1].length,
          lang: normalizeLang(start[2] ?? ""),
          body: [],
        };
      }
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
    if (close !== undefined && close.charAt(0) === open.char && close.length >= open.length) {
      blocks.push({ lang: open.lang, code: open.body.join("\n") });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  if (open !== undefined) blocks.push({ lang: open.lang, code: open.body.join("\n") });
  return blocks;
}

/** The blocks tagged `lang` plus untagged ones (models often omit the tag). */
export function blocksFor(text: string, lang: string): FencedBlock[] {
  return fencedBlocks(text).filter((b) => b.lang === lang || b.lang === "");
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** JSON.parse as a result. */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Invalid JSON: ${errorMessage(err)}` };
  }
}

/**
 * The outermost `[…]` or `{…}` of a text, as llm_call's `re.search(r'(\[.*\]|\{.*\})', s, re.DOTALL)`
 * finds it: from the first opening bracket that has a closing one after it, to the last closer.
 */
export function outermostBrackets(text: string): string | undefined {
  const lastSquare = text.lastIndexOf("]");
  const lastCurly = text.lastIndexOf("}");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[" && lastSquare > i) return text.slice(i, lastSquare + 1);
    if (c === "{" && lastCurly > i) return text.slice(i, lastCurly + 1);
  }
  return undefined;
}

/**
 * The JSON a response holds, found as llm_call's `clean_json_string` finds it (schema,
 * field_present, the judges' answers): the whole response, else the first ```json (or untagged)
 * fenced block, else the outermost brackets amid prose. llm_call then repairs broken JSON with
 * `json_repair`; we do not, so truncated or malformed JSON fails with the parse error.
 */
export function extractJson(text: string): JsonParse {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "Response is empty, so it holds no JSON" };
  const whole = parseJson(trimmed);
  if (whole.ok) return whole;
  const block = blocksFor(text, "json")[0];
  if (block !== undefined) {
    const parsed = parseJson(block.code);
    return parsed.ok ? parsed : { ok: false, error: `${parsed.error} (in the \`\`\`json block)` };
  }
  const inner = outermostBrackets(trimmed);
  if (inner !== undefined && inner !== trimmed) {
    const parsed = parseJson(inner);
    if (parsed.ok) return parsed;
  }
  return whole;
}
