// Syntax checkers for fenced code: acorn (JavaScript), @lezer/python, JSON.parse. Each answers an
// error message, or undefined when the code parses.
import { parser as pythonParser } from "@lezer/python";
import { parse as parseJavaScript } from "acorn";
import { errorMessage } from "../core/errors.ts";
import { lineColumn } from "./text.ts";

export const CODE_LANGUAGES = ["javascript", "typescript", "python", "json"] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

/** Whether a normalised fence tag is one we can check. */
export function isCodeLanguage(lang: string): lang is CodeLanguage {
  return (CODE_LANGUAGES as readonly string[]).includes(lang);
}

/** JavaScript through acorn (latest ECMAScript, module code, top-level return and await allowed). */
export function checkJavaScript(code: string): string | undefined {
  try {
    parseJavaScript(code, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowHashBang: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
    });
    return undefined;
  } catch (err) {
    return `JavaScript syntax error: ${errorMessage(err)}`;
  }
}

/**
 * Python through @lezer/python: the first error node of the tree is the syntax error. Lezer
 * recovers from errors rather than rejecting, so it catches most mistakes (unclosed brackets,
 * missing colons, stray tokens) but not all of CPython's checks (e.g. inconsistent dedents).
 */
export function checkPython(code: string): string | undefined {
  let errorAt: number | undefined;
  pythonParser.parse(code).iterate({
    enter(node) {
      if (errorAt !== undefined) return false;
      if (node.type.isError) errorAt = node.from;
      return undefined;
    },
  });
  if (errorAt === undefined) return undefined;
  const { line, column } = lineColumn(code, errorAt);
  if (errorAt >= code.trimEnd().length) return `Python syntax error: unexpected end of input at line ${line}`;
  const source = (code.split("\n")[line - 1] ?? "").trim().slice(0, 80);
  return `Python syntax error at line ${line}, column ${column}${source ? `: ${source}` : ""}`;
}

/** JSON through JSON.parse. */
export function checkJson(code: string): string | undefined {
  try {
    JSON.parse(code);
    return undefined;
  } catch (err) {
    return `Invalid JSON: ${errorMessage(err)}`;
  }
}

/** Checks code in one language; empty code is an error, since a block was expected to hold code. */
export function checkSyntax(language: CodeLanguage, code: string): string | undefined {
  if (code.trim() === "") return "the block is empty";
  switch (language) {
    case "javascript":
      return checkJavaScript(code);
    case "typescript": {
      // No TypeScript parser is a runtime dependency, so TypeScript is parsed as JavaScript by acorn:
      // type annotations, interfaces and generics are reported as syntax errors.
      const error = checkJavaScript(code);
      return error && `${error} (TypeScript is checked as JavaScript; write it without type syntax)`;
    }
    case "python":
      return checkPython(code);
    case "json":
      return checkJson(code);
    default: {
      const unreachable: never = language;
      return unreachable;
    }
  }
}
