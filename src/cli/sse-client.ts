// A Server-Sent Events reader over fetch that reconnects with Last-Event-ID, so a dropped connection
// loses nothing: the gateway's event ids are stream sequences.
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../core/errors.ts";
import { type GatewayTarget, headersFor } from "./client.ts";
import { CliError, Exit, exitForStatus } from "./exit.ts";

export type SseMessage = { id: number | undefined; event: string; data: string };

export type FollowOptions = {
  signal: AbortSignal;
  /** Called on each reconnect attempt after a drop. */
  onReconnect?: (lastId: number | undefined, why: string) => void;
  /** Give up after this many failed connects in a row. Default 30. */
  maxFailures?: number;
};

/** Split an SSE body into messages (comments and retry hints are skipped). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buf = "";
  let id: number | undefined;
  let event = "message";
  let data: string[] = [];
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      if (line === "") {
        if (data.length > 0) yield { id, event, data: data.join("\n") };
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = Number(value);
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
  }
}

/** Follow `path` until the signal aborts, reconnecting after drops from the last id seen. */
export async function* followSse(
  t: GatewayTarget,
  path: string,
  o: FollowOptions,
): AsyncGenerator<SseMessage> {
  let lastId: number | undefined;
  let failures = 0;
  while (!o.signal.aborted) {
    let why = "the stream ended";
    try {
      const res = await fetch(`${t.url}${path}`, {
        headers: headersFor(t, {
          accept: "text/event-stream",
          ...(lastId === undefined ? {} : { "last-event-id": String(lastId) }),
        }),
        signal: o.signal,
      });
      if (!res.ok || !res.body) {
        const text = await res.text();
        throw new CliError(`events: HTTP ${res.status} ${text.slice(0, 300)}`, exitForStatus(res.status));
      }
      failures = 0;
      for await (const m of parseSse(res.body)) {
        if (m.id !== undefined && Number.isFinite(m.id)) lastId = m.id;
        yield m;
      }
    } catch (err) {
      if (o.signal.aborted) return;
      if (err instanceof CliError && err.exitCode !== Exit.Failure) throw err;
      why = errorMessage(err);
      failures += 1;
      if (failures >= (o.maxFailures ?? 30))
        throw new CliError(`events: gave up after ${failures} failed connects (${why})`, Exit.Failure);
    }
    o.onReconnect?.(lastId, why);
    await sleep(Math.min(500 * 2 ** Math.min(failures, 4), 5000), undefined, { signal: o.signal }).catch(
      () => undefined,
    );
  }
}
