import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseModelRoutes, routeFor, routesOf } from "../../../src/core/providers/routes.ts";

describe("model routing", () => {
  const defaults: Array<[string, string]> = [
    ["max/opus", "claude"],
    ["max", "claude"],
    ["opus", "claude"],
    ["sonnet", "claude"],
    ["haiku", "claude"],
    ["claude-sonnet-4-5-20250929", "claude"],
    ["gpt-4o", "openai"],
    ["ollama/qwen2.5:7b", "openai"],
    ["openrouter/anthropic/claude-3.5-sonnet", "openai"],
  ];
  for (const [model, route] of defaults) {
    it(`given no routes set, then ${model} goes to ${route} (llm_call's rule)`, () => {
      assert.equal(routeFor(model), route);
    });
  }

  it("given user routes, then an exact name beats a prefix, a longer prefix beats a shorter, and * catches the rest", () => {
    const { routes, issues } = parseModelRoutes(
      "llama*=command, llama3-70b=openai, sonnet=openai, *=command, ll*=openai",
    );
    assert.deepEqual(issues, []);
    assert.equal(routeFor("llama3-70b", routes), "openai");
    assert.equal(routeFor("llama3-8b", routes), "command");
    assert.equal(routeFor("lla", routes), "openai");
    assert.equal(routeFor("sonnet", routes), "openai");
    assert.equal(routeFor("gpt-4o", routes), "command");
  });

  it("given bad entries, then each is named", () => {
    const { issues } = parseModelRoutes("a=ollama, b, c*d=openai, =claude, ok=claude");
    assert.equal(issues.length, 4);
    assert.match(issues[0]?.message ?? "", /"a=ollama"/);
  });

  it("given a chain over two executors, then its routes are listed once each, in order", () => {
    assert.deepEqual(routesOf(["opus", "sonnet", "gpt-4o", "haiku"]), ["claude", "openai"]);
  });
});
