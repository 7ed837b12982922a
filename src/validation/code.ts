// Code validators: code (every fenced block parses) and python (Python syntax).
import { z } from "zod";
import { parseParams } from "./params.ts";
import { CODE_LANGUAGES, checkPython, checkSyntax, isCodeLanguage } from "./syntax.ts";
import { blocksFor, fencedBlocks, normalizeLang } from "./text.ts";
import type { Validator } from "./types.ts";

const CodeParams = z.strictObject({
  language: z
    .string()
    .transform(normalizeLang)
    .pipe(
      z.enum(CODE_LANGUAGES, {
        error: "unsupported language; use javascript (js), typescript (ts), python (py) or json",
      }),
    )
    .optional(),
});

/**
 * code: the response has fenced code blocks and they parse. With `language`, the blocks tagged
 * with it (or untagged) are checked and at least one must exist; without it, each block is
 * checked in its own tagged language, and blocks in other languages pass unchecked.
 */
export const code: Validator = (response, raw) => {
  const parsed = parseParams("code", CodeParams, raw);
  if (!parsed.ok) return parsed.result;
  const { language } = parsed.params;
  const blocks = fencedBlocks(response);
  const fence = `\`\`\`${language ?? "<language>"}`;
  if (blocks.length === 0) {
    return {
      valid: false,
      error: "No fenced code block found",
      suggestions: [`Put the code in a fenced block: ${fence} … \`\`\``],
    };
  }
  const errors: string[] = [];
  let checked = 0;
  blocks.forEach((block, i) => {
    const lang = language ?? block.lang;
    if ((language !== undefined && block.lang !== language && block.lang !== "") || !isCodeLanguage(lang))
      return;
    checked += 1;
    const error = checkSyntax(lang, block.code);
    if (error !== undefined) errors.push(`Block ${i + 1} (${lang}): ${error}`);
  });
  if (language !== undefined && checked === 0) {
    const found = [...new Set(blocks.map((b) => b.lang || "untagged"))].join(", ");
    return {
      valid: false,
      error: `No ${fence} fenced code block found (found: ${found})`,
      suggestions: [`Put the ${language} code in a ${fence} fenced block`],
    };
  }
  if (errors.length === 0) return { valid: true };
  return {
    valid: false,
    error: `Invalid code: ${errors.join("; ")}`,
    suggestions: ["Fix the syntax errors in the code blocks"],
  };
};

/** python: the response's python (or untagged) fenced blocks, or else the whole response, parse as Python. */
export const python: Validator = (response) => {
  const blocks = blocksFor(response, "python");
  const sources = blocks.length > 0 ? blocks.map((b) => b.code) : [response];
  if (sources.every((s) => s.trim() === "")) {
    return { valid: false, error: "No Python code found", suggestions: ["Respond with Python code"] };
  }
  const errors = sources.flatMap((source, i) => {
    const error = checkPython(source);
    if (error === undefined) return [];
    return [blocks.length > 0 ? `Block ${i + 1}: ${error}` : error];
  });
  if (errors.length === 0) return { valid: true };
  return {
    valid: false,
    error: errors.join("; "),
    suggestions: ["Fix syntax errors in python code"],
  };
};
