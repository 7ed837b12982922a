import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type JobView, jobLine } from "../../src/cli/commands/views.ts";
import { Exit, exitForStatus } from "../../src/cli/exit.ts";
import { bar, table } from "../../src/cli/format.ts";
import { parseSse } from "../../src/cli/sse-client.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });
}

describe("the CLI's pieces", () => {
  it("parses SSE across chunk boundaries, skipping comments and retry hints", async () => {
    const got = [];
    for await (const m of parseSse(
      streamOf(
        "retry: 2000\n\n: ping\n\nid: 7\nevent: job.acc",
        'epted\ndata: {"a":1}\n\n',
        "id: 9\ndata: x\ndata: y\n\n",
      ),
    ))
      got.push(m);
    assert.deepEqual(got, [
      { id: 7, event: "job.accepted", data: '{"a":1}' },
      { id: 9, event: "message", data: "x\ny" },
    ]);
  });

  it("maps gateway statuses to exit codes scripts rely on", () => {
    assert.equal(exitForStatus(400), Exit.Usage);
    assert.equal(exitForStatus(404), Exit.NotFound);
    assert.equal(exitForStatus(409), Exit.NotReady);
    assert.equal(exitForStatus(409, "ALREADY_ENDED"), Exit.Failure, "cancelling what ended will never work");
    assert.equal(exitForStatus(401), Exit.Failure);
    assert.equal(exitForStatus(503), Exit.Failure);
  });

  it("draws tables and bars", () => {
    assert.equal(
      table(
        ["queue", "n"],
        [
          ["standard", 3],
          ["heavy", 12],
        ],
      ),
      "queue      n\nstandard   3\nheavy     12",
    );
    assert.equal(bar(1, 4, 8), "[##......]");
    const job: JobView = {
      job_id: "j1",
      status: "running",
      spec: "s",
      count: 4,
      infinite: false,
      iterations_planned: 4,
      iterations: { passed: 1, exhausted: 0, failed: 0, cancelled: 0 },
      progress: { running: 2 },
      cost_usd: 0.5,
      quality: { critiques: 1, quality: 8, compliance: 9 },
      reason: null,
    };
    assert.match(
      jobLine(job),
      /^j1 \[#+\.+\] 1\/4 iterations · running 2 · \$0\.5000 · quality 8\.0 · running$/,
    );
  });
});
