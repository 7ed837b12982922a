import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INLINE_OUTPUT_BYTES } from "../../../src/core/events/index.ts";
import { promptRecord } from "../../../src/core/worker/prompt-record.ts";

const KEY = "prompts/t-1/1";

describe("how task.started records the prompt as sent", () => {
  it("given the prompt is task.created's inline prompt as it stands, then nothing is recorded or stored", () => {
    assert.deepEqual(promptRecord({ inline: "Write a line." }, "Write a line.", KEY), {
      fields: {},
      store: undefined,
    });
  });

  it("given a small prompt with attachments resolved, then it travels inline under its key and nothing is stored", () => {
    const sent = "Judge this.\nOUTPUT:\nA line.";
    assert.deepEqual(promptRecord({ inline: "Judge this." }, sent, KEY), {
      fields: { prompt_ref: KEY, prompt_inline: sent },
      store: undefined,
    });
  });

  it("given a prompt over the inline bound (in UTF-8 bytes), then it is stored and only its key travels", () => {
    const sent = "é".repeat(INLINE_OUTPUT_BYTES / 2 + 1);
    assert.deepEqual(promptRecord({ ref: "prompts/t-1/base", bytes: 2_000_000 }, sent, KEY), {
      fields: { prompt_ref: KEY },
      store: KEY,
    });
  });
});
