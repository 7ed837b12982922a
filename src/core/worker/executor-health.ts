// Whether a worker may give work to one of its executors: its credentials (checked by the executor's
// own probe and by every run) and any hold a provider's usage limit put on it. Pure: the worker
// shell runs the probes and keeps the state; workers publish it (WorkerStatus) for /health,
// `agents status` and the metrics.
import type { AuthProbe } from "../ports/executor.ts";
import type { ExecutorHealth } from "./status.ts";

/** The state before anything is known. */
export function initialHealth(now: number): ExecutorHealth {
  return { auth: { state: "unknown", detail: "not checked yet", checked_at: new Date(now).toISOString() } };
}

/** Whether the executor takes work now: credentials not failed, and no usage-limit hold in force. */
export function isAvailable(h: ExecutorHealth, now: number): boolean {
  return h.auth.state !== "failed" && !(h.held_until !== undefined && Date.parse(h.held_until) > now);
}

/**
 * After a probe. A refused probe fails the credentials. A passing one clears a failure only if it
 * asked the provider itself, or if the credentials changed since a run was refused (a local check
 * of the same credentials that were just refused proves nothing).
 */
export function afterProbe(h: ExecutorHealth, p: AuthProbe, now: number): ExecutorHealth {
  const at = new Date(now).toISOString();
  const seen = {
    ...(p.method !== undefined ? { method: p.method } : {}),
    ...(p.expires_at !== undefined ? { expires_at: p.expires_at } : {}),
    ...(p.fingerprint !== undefined ? { fingerprint: p.fingerprint } : {}),
  };
  if (p.ok === false) return { ...h, auth: { state: "failed", detail: p.detail, checked_at: at, ...seen } };
  if (p.ok === undefined) {
    return h.auth.state === "failed"
      ? { ...h, auth: { ...h.auth, checked_at: at } }
      : { ...h, auth: { state: "unknown", detail: p.detail, checked_at: at, ...seen } };
  }
  if (h.auth.state === "failed" && !p.authoritative && p.fingerprint === h.auth.refused_fingerprint) {
    return { ...h, auth: { ...h.auth, checked_at: at } };
  }
  return { ...h, auth: { state: "ok", detail: p.detail, checked_at: at, ...seen } };
}

/** A run was refused for its credentials: failed, remembering which credentials were refused. */
export function afterAuthFailure(h: ExecutorHealth, reason: string, now: number): ExecutorHealth {
  const refused = h.auth.fingerprint;
  return {
    ...h,
    auth: {
      ...h.auth,
      state: "failed",
      detail: reason.slice(0, 1000),
      checked_at: new Date(now).toISOString(),
      ...(refused !== undefined ? { refused_fingerprint: refused } : {}),
    },
  };
}

/** A run got an answer from the provider: the credentials work. */
export function afterAnswer(h: ExecutorHealth, now: number): ExecutorHealth {
  if (h.auth.state === "ok") return h;
  return {
    ...h,
    auth: { ...h.auth, state: "ok", detail: "a run was answered", checked_at: new Date(now).toISOString() },
  };
}

/** Hold the executor until `until` (a usage limit of the whole subscription). */
export function hold(h: ExecutorHealth, until: number, reason: string): ExecutorHealth {
  const current = h.held_until !== undefined ? Date.parse(h.held_until) : 0;
  if (current >= until) return h;
  return { ...h, held_until: new Date(until).toISOString(), hold_reason: reason.slice(0, 500) };
}
