// Request-reply over core NATS: a queue-group subscription whose handler's answer goes back to the
// requester as JSON. One member of the group answers each request.
import type { Msg } from "@nats-io/transport-node";
import type { Logger } from "../core/ports/logger.ts";
import type { Connection } from "./connection.ts";

/** A request as a handler sees it: its bytes and its headers. */
export type Request = { data: Uint8Array; header(name: string): string | undefined };

export type Served = { stop(): Promise<void> };

/**
 * Answer requests on `subject` (in queue group `queue`) with the JSON of `handle`'s result. A
 * message without a reply subject is handled too (its answer has nowhere to go). A handler that
 * throws answers nothing: handlers turn their own failures into answers.
 */
export function serveRequests(
  nc: Connection,
  subject: string,
  queue: string,
  handle: (r: Request) => Promise<unknown>,
  log: Logger,
): Served {
  const running = new Set<Promise<void>>();
  const sub = nc.subscribe(subject, {
    queue,
    callback: (err, m: Msg) => {
      if (err) {
        log.warn({ err: String(err), subject }, "request subscription failed");
        return;
      }
      const request: Request = { data: m.data, header: (name) => m.headers?.get(name) || undefined };
      const p = handle(request)
        .then((answer) => {
          if (m.reply) m.respond(JSON.stringify(answer));
        })
        .catch((e: unknown) => log.error({ err: String(e), subject }, "request handler failed"))
        .finally(() => running.delete(p));
      running.add(p);
    },
  });
  return {
    stop: async () => {
      // Requests already taken are answered before the subscription ends.
      await sub.drain().catch(() => undefined);
      await Promise.all(running);
    },
  };
}
