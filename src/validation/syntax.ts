// Syntax checkers for code: CPython's ast.parse (./python-syntax.ts), acorn (JavaScript),
// JSON.parse. Each answers an error message, or undefined when the code parses.
import { parse as parseJavaScript } from "acorn";
import { errorMessage } from "../core/errors.ts";
import { checkPython } from "./python-syntax.ts";

export const CODE_LANGUAGES = ["javascript", "typescript", "python", "json"] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

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

/** JSON through JSON.parse. */
export function checkJson(code: string): string | undefined {
  try {
    JSON.parse(code);
    return undefined;
  } catch (err) {
    return `Invalid JSON: ${errorMessage(err)}`;
  }
}

/** Checks code in one language. */
export async function checkSyntax(language: CodeLanguage, code: string): Promise<string | undefined> {
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
