import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/core/errors.ts";
import { createExecutor } from "../../src/executors/index.ts";

describe("createExecutor", () => {
  it("builds each kind from its settings", () => {
    assert.equal(createExecutor({ kind: "claude" }).name, "claude");
    assert.equal(
      createExecutor({ kind: "openai", openaiBaseUrl: "http://127.0.0.1:8001/v1" }).name,
      "openai",
    );
    assert.equal(createExecutor({ kind: "command", command: "cat" }).name, "command");
    assert.equal(createExecutor({ kind: "echo" }).name, "echo");
  });

  it("names the missing setting", () => {
    assert.throws(
      () => createExecutor({ kind: "openai" }),
      (err: unknown) => {
        return err instanceof ConfigError && err.message.includes("openaiBaseUrl");
      },
    );
    assert.throws(
      () => createExecutor({ kind: "command" }),
      (err: unknown) => {
        return err instanceof ConfigError && err.message.includes("command");
      },
    );
  });
});
