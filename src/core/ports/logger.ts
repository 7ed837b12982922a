// The logger the core's callers and the shells write to: structured fields first, then a message.
// Our own type, so nothing outside src/observability depends on pino (which satisfies it).

/** Log a message, optionally with structured fields (ids, sequences) first. */
export type LogFn = {
  (msg: string): void;
  (fields: object, msg?: string): void;
};

export type Logger = {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
};
