// The validation thread: runs one validator at a time for ./offload.ts, off the worker's main
// thread, so a validator that spins (a backtracking regex, a parser on a pathological input)
// delays neither heartbeats nor other tasks; the main thread terminates it at its deadline.
import { parentPort } from "node:worker_threads";
import { errorMessage } from "../core/errors.ts";
import type { ThreadReply, ThreadRequest } from "./offload.ts";
import { loadPythonChecker } from "./python-syntax.ts";
import { runValidation } from "./registry.ts";

const port = parentPort;
if (port === null) throw new Error("src/validation/thread.ts runs as a worker thread");

port.on("message", (request: ThreadRequest) => {
  const answer = async (): Promise<ThreadReply> => {
    try {
      if (request.python) await loadPythonChecker();
      port.postMessage({ id: request.id, ready: true } satisfies ThreadReply);
      return { id: request.id, result: await runValidation(request.response, request.spec, {}) };
    } catch (err) {
      return { id: request.id, result: { valid: false, error: errorMessage(err) } };
    }
  };
  void answer().then((reply) => port.postMessage(reply));
});
