// Python syntax as CPython itself decides it: `ast.parse` run by Pyodide (CPython compiled to
// WebAssembly, shipped in the npm package: no python3 on the worker, no subprocess, no network).
// So a syntax error is exactly what llm_call's `ast.parse(code)` raises (`1 = x`, a bad dedent,
// tabs mixed with spaces), on every machine and in every container, at one pinned Python version.
// Loading takes a few seconds and ~100 MB, so it happens once per validation thread, on first use.
import { errorMessage } from "../core/errors.ts";

type PythonCheck = (source: string) => string | undefined;

// llm_call's CodeValidator._validate_python, with the message it builds.
const CHECKER = `
import ast

def check(source):
    try:
        ast.parse(source)
    except SyntaxError as e:
        return f"Syntax error at line {e.lineno}: {e.msg}"
    except Exception as e:
        return str(e) or type(e).__name__
    return None

check
`;

let checker: Promise<PythonCheck> | undefined;

/** Loads CPython (once per thread) and answers the checker; a failed load is retried next time. */
export function loadPythonChecker(): Promise<PythonCheck> {
  checker ??= (async () => {
    const { loadPyodide } = await import("pyodide");
    // stdout/stderr go nowhere: nothing Python prints may reach the worker's logs.
    const py = await loadPyodide({ stdout: () => {}, stderr: () => {}, packages: [] });
    const check = py.runPython(CHECKER) as (source: string) => string | undefined | null;
    return (source: string) => check(source) ?? undefined;
  })();
  checker.catch(() => {
    checker = undefined;
  });
  return checker;
}

/** CPython's verdict on a source: its SyntaxError as llm_call words it, or undefined when it parses. */
export async function checkPython(source: string): Promise<string | undefined> {
  const check = await loadPythonChecker();
  try {
    return check(source);
  } catch (err) {
    return `Python check failed: ${errorMessage(err).split("\n").at(-2) ?? errorMessage(err)}`;
  }
}

/** The Python version of the pinned Pyodide (its major.minor is in the package version: 314 → 3.14). */
export const PYTHON_VERSION = "3.14";
