// Code validators: code and python, as llm_call's CodeValidator decides: the response's fenced
// blocks in the language (default python) are parsed, or else the whole response is.
import { z } from "zod";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import { CODE_LANGUAGES, type CodeLanguage, checkSyntax } from "./syntax.ts";
import { fencedBlocks, normalizeLang } from "./text.ts";
import type { ValidationResult, Validator } from "./types.ts";

const CodeParams = z.strictObject({
  language: z
    .string()
    .transform(normalizeLang)
    .pipe(
      z.enum(CODE_LANGUAGES, {
        error: "unsupported language; use python (py), javascript (js), typescript (ts) or json",
      }),
    )
    .default("python"),
});

/**
 * Checks the response's blocks fenced as `language` (or untagged), or else the whole response:
 * llm_call's rule, except that its pattern finds only ```python fences (an untagged or ```py fence
 * makes it parse the whole reply, fences and all) and that it passes an empty reply.
 */
export async function checkCode(response: string, language: CodeLanguage): Promise<ValidationResult> {
  const fenced = fencedBlocks(response);
  const blocks = fenced.filter((b) => b.lang === language || b.lang === "");
  const sources = blocks.length > 0 ? blocks.map((b) => b.code) : [response];
  if (sources.every((s) => s.trim() === "")) {
    return {
      valid: false,
      error: `No ${language} code found in the response`,
      suggestions: [`Respond with ${language} code in a \`\`\`${language} fenced block`],
    };
  }
  const errors: string[] = [];
  for (const [i, source] of sources.entries()) {
    const error = source.trim() === "" ? "the block is empty" : await checkSyntax(language, source);
    if (error !== undefined) errors.push(`Block ${i + 1}: ${error}`);
  }
  if (errors.length === 0) return { valid: true };
  const others = [...new Set(fenced.map((b) => b.lang))];
  const hint =
    blocks.length === 0 && others.length > 0
      ? ` (no \`\`\`${language} block, so the whole response was parsed; found: ${others.join(", ")})`
      : "";
  return {
    valid: false,
    error: `Invalid ${language} code: ${errors.join("; ")}${hint}`,
    suggestions: [`Fix syntax errors in ${language} code`],
  };
}

/** code's params at submit time. */
export const codeParams: ParamCheck = paramCheck(CodeParams);

/** code: the response's code in params.language (default python) parses. */
export const code: Validator = (response, raw) => {
  const parsed = parseParams("code", CodeParams, raw);
  if (!parsed.ok) return parsed.result;
  return checkCode(response, parsed.params.language);
};

const PythonParams = z.strictObject({});

/** python's params at submit time: none. */
export const pythonParams: ParamCheck = paramCheck(PythonParams);

/** python: llm_call's PythonCodeValidator is CodeValidator(language="python"); it takes no params. */
export const python: Validator = (response, raw) => {
  const parsed = parseParams("python", PythonParams, raw);
  if (!parsed.ok) return parsed.result;
  return checkCode(response, "python");
};
