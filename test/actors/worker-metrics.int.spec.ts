import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ActorProcess, eventually, freePort, startStack, type TestStack } from "../support/index.ts";

describe("a worker process with AGENTS_METRICS_PORT", () => {
  let stack: TestStack;
  let worker: ActorProcess;
  let port: number;
  before(async () => {
    stack = await startStack();
    port = await freePort();
    worker = stack.startWorker({ AGENTS_METRICS_PORT: String(port) });
  });
  after(() => stack.stop());

  it("serves its process metrics, labelled worker, on /metrics and nothing else", async () => {
    let text = "";
    await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      text = r?.ok ? await r.text() : "";
      return text.length > 0;
    }, 20_000);
    assert.match(text, /^process_cpu_user_seconds_total\{component="worker"\} [\d.e+-]+$/m);
    assert.match(text, /^nodejs_heap_size_used_bytes\{component="worker"\} \d+/m);
    const other = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(other.status, 404);
    const body = (await other.json()) as { error: { code: string } };
    assert.equal(body.error.code, "NOT_FOUND");
    assert.ok(worker.pid > 0);
  });
});
