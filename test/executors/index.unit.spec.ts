import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/core/errors.ts";
import { createExecutors } from "../../src/executors/index.ts";

describe("createExecutors", () => {
  it("given several kinds, then each serves its own route", () => {
    const ex = createExecutors({
      kinds: ["claude", "openai", "command"],
      openaiBaseUrl: "http://127.0.0.1:8001/v1",
      command: "cat",
    });
    assert.deepEqual(
      [...ex].map(([route, e]) => [route, e.name]),
      [
        ["claude", "claude"],
        ["openai", "openai"],
        ["command", "command"],
      ],
    );
  });

  it("given echo, then the one offline executor stands in for every route", () => {
    const ex = createExecutors({ kinds: ["echo"] });
    assert.deepEqual([...ex.keys()], ["claude", "openai", "command"]);
    assert.deepEqual(
      [...ex.values()].map((e) => e.name),
      ["echo", "echo", "echo"],
    );
  });

  it("given a kind without its setting, then the error names the missing setting", () => {
    assert.throws(
      () => createExecutors({ kinds: ["openai"] }),
      (err: unknown) => err instanceof ConfigError && err.message.includes("openaiBaseUrl"),
    );
    assert.throws(
      () => createExecutors({ kinds: ["command"] }),
      (err: unknown) => err instanceof ConfigError && err.message.includes("command"),
    );
  });
});
