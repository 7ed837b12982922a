// A test SSE client: read messages until enough, then disconnect (as a real client would).
import assert from "node:assert/strict";
import { parseSse, type SseMessage } from "../../src/cli/sse-client.ts";

/** Read SSE messages from a URL until `enough` says stop (or the timeout), then disconnect. */
export async function readSse(
  url: string,
  enough: (got: SseMessage[]) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<SseMessage[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const got: SseMessage[] = [];
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    for await (const m of parseSse(res.body as ReadableStream<Uint8Array>)) {
      got.push(m);
      if (enough(got)) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return got;
}
