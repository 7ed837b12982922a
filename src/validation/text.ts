// Reading LLM output: fenced code blocks, JSON (bare or in a fence), line numbers for errors.
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

/** Parses the response as JSON, or else the first ```json (or untagged) fenced block in it. */
export function parseJsonResponse(text: string): JsonParse {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "Response is empty, so it is not JSON" };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch (err) {
    const block = blocksFor(text, "json")[0];
    if (block === undefined) return { ok: false, error: `Invalid JSON: ${errorMessage(err)}` };
    try {
      return { ok: true, value: JSON.parse(block.code) };
    } catch (blockErr) {
      return { ok: false, error: `Invalid JSON in the \`\`\`json block: ${errorMessage(blockErr)}` };
    }
  }
}

/** 1-based line and column of a character offset, for error messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
