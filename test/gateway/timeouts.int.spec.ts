import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { newEvent, Subjects } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { type GatewayHarness, startGatewayHarness } from "./harness.ts";

/** Listen on a free loopback port; the app's base URL. */
async function listen(app: FastifyInstance): Promise<{ host: string; port: number }> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  return { host: "127.0.0.1", port: typeof addr === "object" && addr ? addr.port : 0 };
}

/**
 * A client that sends a submission's headers and the first bytes of its body, then stops. Resolves
 * with what the server wrote once the server closes the connection; rejects if it is still open
 * after `budgetMs` (a generous budget: the timeouts under test are 1 s).
 */
function stallBody(at: { host: string; port: number }, budgetMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(at);
    let got = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection with a stalled body was still open after ${budgetMs} ms`));
    }, budgetMs);
    socket.on("data", (d) => {
      got += d.toString();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on("connect", () => {
      socket.write(
        // A loopback Host: in local mode any other name is refused at once (DNS rebinding).
        `POST /v1/agents/submit HTTP/1.1\r\nHost: ${at.host}:${at.port}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 2000\r\n\r\n{"spec":"Write a haiku',
      );
    });
  });
}

describe("gateway request and idle timeouts", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness({
      env: {
        AGENTS_REQUEST_TIMEOUT_MS: "1000",
        AGENTS_IDLE_TIMEOUT_MS: "60000",
        AGENTS_SSE_HEARTBEAT_MS: "200",
      },
    });
  });
  after(() => h.stop());

  it("given a client that sends half a body and stops, then it is answered 408 and disconnected", async () => {
    const got = await stallBody(await listen(h.app));
    assert.match(got, /^HTTP\/1\.1 408/);
  });

  it("given a request timeout longer than the idle timeout, then a stalled body is cut when the connection idles", async () => {
    const app = await h.appWith({
      AGENTS_REQUEST_TIMEOUT_MS: "120000",
      AGENTS_IDLE_TIMEOUT_MS: "1000",
      AGENTS_SSE_HEARTBEAT_MS: "200",
    });
    await stallBody(await listen(app));
  });

  it("given an SSE stream open longer than both timeouts, then it still receives events", async () => {
    const app = await h.appWith({
      AGENTS_REQUEST_TIMEOUT_MS: "1000",
      AGENTS_IDLE_TIMEOUT_MS: "1000",
      AGENTS_SSE_HEARTBEAT_MS: "200",
    });
    const at = await listen(app);
    const res = await fetch(`http://${at.host}:${at.port}/v1/agents/events`);
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        assert.ok(!ended, `the SSE stream ended; it had sent:\n${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    // A stalled body on the same server being cut shows both timeouts have had time to fire.
    await stallBody(at);
    // And more heartbeats than fit in one idle timeout have passed on this stream.
    await readUntil(() => (text.match(/: ping/g)?.length ?? 0) >= 10);
    const e = newEvent(
      "job.wave_planned",
      { wave: 1, iterations: [1] },
      { job_id: "jTimeouts", now: Date.now() },
    );
    const { seq } = await new JetStreamEventStore(h.nc).append(Subjects.job("jTimeouts"), e);
    await readUntil(() => text.includes(`id: ${seq}\n`));
    await reader.cancel();
  });
});
