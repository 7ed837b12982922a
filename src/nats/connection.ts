// Connect to NATS with the settings every process uses; what others may know of a connection.
import { JetStreamApiError, JetStreamError } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  ConnectionError,
  type ConnectionOptions,
  connect,
  DrainingConnectionError,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/transport-node";

/** A NATS connection. Outside src/nats it is only handed on, to the adapters here. */
export type Connection = NatsConnection;

/**
 * Connect with reconnects forever; `name` shows in server monitoring; `access` carries credentials,
 * TLS and the inbox prefix (see natsConnectOptions).
 */
export async function connectNats(
  url: string,
  name: string,
  access: Partial<ConnectionOptions> = {},
): Promise<Connection> {
  return connect({
    ...access,
    servers: url.split(",").map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Async stack traces build an Error per request; the profile showed ~17% of CPU in them.
    noAsyncTraces: true,
  });
}

/** Whether the connection is up, and to which server. */
export function connectionStatus(nc: Connection): { connected: boolean; server: string | null } {
  const connected = !nc.isClosed() && nc.info !== undefined;
  return { connected, server: connected ? nc.getServer() : null };
}

/** Whether the connection was closed for good. */
export function isClosed(nc: Connection): boolean {
  return nc.isClosed();
}

/** True for errors that mean NATS (or JetStream) is not answering right now: retry later. */
export function isNatsUnavailable(err: unknown): boolean {
  return [
    ClosedConnectionError,
    ConnectionError,
    DrainingConnectionError,
    NoRespondersError,
    RequestError,
    TimeoutError,
  ].some((cls) => err instanceof cls);
}

/**
 * True for failures that go away once NATS (or JetStream) answers again: the connection is down or
 * reconnecting, a request timed out, or JetStream said it is unavailable (503) — also when such an
 * error is the cause of another.
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isNatsUnavailable(e)) return true;
    if (e instanceof JetStreamApiError && e.status === 503) return true;
    if (e instanceof JetStreamError && /timeout|timed out|no responders|disconnect/i.test(e.message))
      return true;
  }
  return false;
}

/** Hear every core-NATS message on `subject` (JetStream publishes included) until `close()`. */
export function listen(
  nc: Connection,
  subject: string,
  onMessage: (subject: string, data: Uint8Array) => void,
): { close(): void } {
  const sub = nc.subscribe(subject, { callback: (_err, m) => onMessage(m.subject, m.data) });
  return { close: () => sub.unsubscribe() };
}
