// Runs validators in a worker thread with a deadline, so that no validator can hang a worker: the
// main thread keeps heartbeating and serving other tasks, and a validator still running at its
// deadline is stopped (the thread is terminated and a fresh one serves the next validator) and
// fails with that reason. One thread per process, one validator at a time, in submission order.
import { Worker } from "node:worker_threads";
import { errorMessage } from "../core/errors.ts";
import { normalizeLang } from "./text.ts";
import type { ValidationResult, ValidationSpec } from "./types.ts";

/** Default ms one validator may run in the validation thread before it is stopped. */
export const VALIDATION_DEADLINE_MS = 10_000;
/**
 * Starting a thread and loading CPython (for python and code) are not the response's doing: they
 * have their own budget, and a validator's deadline starts once the thread says it is ready.
 */
const STARTUP_BUDGET_MS = 120_000;
/** An idle thread is stopped after this long, giving back CPython's ~100 MB. */
const IDLE_MS = 5 * 60_000;

/** One validator to run; with `python`, the thread loads CPython first. */
export type ThreadRequest = { id: number; response: string; spec: ValidationSpec; python: boolean };
/** `ready`: the thread (and CPython, if asked) is loaded; the validator, and its deadline, start now. */
export type ThreadReply = { id: number; ready: true } | { id: number; result: ValidationResult };

type Job = {
  request: ThreadRequest;
  deadlineMs: number;
  timedOut: () => ValidationResult;
  resolve: (result: ValidationResult) => void;
};

/** Whether a spec parses Python, so the thread must have CPython loaded before its deadline starts. */
export function needsPython(spec: ValidationSpec): boolean {
  if (spec.type === "python") return true;
  if (spec.type !== "code") return false;
  const language = spec.params?.language;
  return language === undefined || (typeof language === "string" && normalizeLang(language) === "python");
}

/** The thread's entry: the TypeScript sources need a loader registered in the thread. */
function threadEntry(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("./thread-entry.mjs", here) : new URL("./thread.js", here);
}

class ValidationThread {
  private worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private current: { job: Job; timer: NodeJS.Timeout } | undefined;
  private idle: NodeJS.Timeout | undefined;
  private nextId = 1;

  /** Queues a validator; resolves with its result, or with `timedOut()` after `deadlineMs` of running. */
  run(request: Omit<ThreadRequest, "id">, deadlineMs: number, timedOut: () => ValidationResult) {
    return new Promise<ValidationResult>((resolve) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, deadlineMs, timedOut, resolve });
      this.pump();
    });
  }

  stop(): Promise<void> {
    const worker = this.worker;
    this.forget();
    return worker ? worker.terminate().then(() => undefined) : Promise.resolve();
  }

  private pump(): void {
    if (this.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.idle ??= setTimeout(() => void this.stop(), IDLE_MS).unref();
      return;
    }
    clearTimeout(this.idle);
    this.idle = undefined;
    const worker = this.ensureWorker();
    const what = job.request.python
      ? "validation thread (with its Python syntax checker)"
      : "validation thread";
    const starting = (): ValidationResult => ({
      valid: false,
      error: `the ${what} did not start within ${STARTUP_BUDGET_MS / 1000} s`,
      suggestions: [],
    });
    this.current = { job, timer: this.stopAfter(worker, job, STARTUP_BUDGET_MS, starting) };
    worker.postMessage(job.request);
  }

  /** A timer that, unless cleared, stops the thread (a spinning regex included) and fails the job. */
  private stopAfter(worker: Worker, job: Job, ms: number, result: () => ValidationResult): NodeJS.Timeout {
    return setTimeout(() => {
      void worker.terminate();
      if (this.worker === worker) this.forget();
      this.finish(job, result());
    }, ms);
  }

  private finish(job: Job, result: ValidationResult): void {
    if (this.current?.job !== job) return;
    clearTimeout(this.current.timer);
    this.current = undefined;
    job.resolve(result);
    this.pump();
  }

  private forget(): void {
    this.worker = undefined;
    clearTimeout(this.idle);
    this.idle = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    // execArgv [] keeps the parent's loader and test flags out; the heap limit turns an input
    // that would exhaust memory into a failed validation instead of a dead worker.
    const worker = new Worker(threadEntry(), {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.on("message", (reply: ThreadReply) => {
      const current = this.current;
      if (current === undefined || current.job.request.id !== reply.id) return;
      if ("result" in reply) return this.finish(current.job, reply.result);
      clearTimeout(current.timer);
      current.timer = this.stopAfter(worker, current.job, current.job.deadlineMs, current.job.timedOut);
    });
    const failed = (why: string) => {
      // A thread stopped at a deadline exits later: the job it ran is already settled.
      if (this.worker !== worker) return;
      this.forget();
      const job = this.current?.job;
      if (job !== undefined) this.finish(job, { valid: false, error: `validation thread failed: ${why}` });
    };
    worker.on("error", (err) => failed(errorMessage(err)));
    worker.on("exit", (code) => failed(`it exited with code ${code}`));
    // After the listeners: adding a 'message' listener refs the thread again, and an idle thread
    // must not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

const thread = new ValidationThread();

/** Runs one (non-judge) validator in the validation thread; past `deadlineMs` it fails with that reason. */
export function validateOffThread(
  response: string,
  spec: ValidationSpec,
  deadlineMs: number = VALIDATION_DEADLINE_MS,
): Promise<ValidationResult> {
  const seconds = Math.round(deadlineMs / 100) / 10;
  return thread.run({ response, spec, python: needsPython(spec) }, deadlineMs, () => ({
    valid: false,
    error: `Validation timed out: ${spec.type} did not finish within ${seconds} s, so it was stopped`,
    suggestions: [
      "Simplify the validator: a regex that needs backtracking (a lookahead or backreference around nested repeats) can take too long on a long response",
    ],
  }));
}

/** Stops the validation thread (a new one starts on the next validation); for shutdown and tests. */
export function stopValidationThread(): Promise<void> {
  return thread.stop();
}
