import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectHandoff } from "../../../src/core/protocol/handoff.ts";

describe("detectHandoff", () => {
  const cases: { name: string; output: string; handoff: boolean; remaining: string; body: string }[] = [
    { name: "plain answer", output: "All done.", handoff: false, remaining: "", body: "All done." },
    { name: "empty output", output: "", handoff: false, remaining: "", body: "" },
    {
      name: "marker on the last line with REMAINING_WORK",
      output: "Did part 1.\n\nREMAINING_WORK: do part 2\nand part 3\nHANDOFF_REQUIRED",
      handoff: true,
      remaining: "do part 2\nand part 3",
      body: "Did part 1.\n\nREMAINING_WORK: do part 2\nand part 3",
    },
    {
      name: "marker followed by blank lines and padded with spaces",
      output: "Did part 1.\n\nStill to do: tests.\n  HANDOFF_REQUIRED  \n\n  \n",
      handoff: true,
      remaining: "Still to do: tests.",
      body: "Did part 1.\n\nStill to do: tests.",
    },
    {
      name: "CRLF line endings",
      output: "Work.\r\nREMAINING_WORK: the rest\r\nHANDOFF_REQUIRED\r\n",
      handoff: true,
      remaining: "the rest",
      body: "Work.\nREMAINING_WORK: the rest",
    },
    {
      name: "marker mid-text does not count",
      output: "HANDOFF_REQUIRED\nBut then I finished everything.",
      handoff: false,
      remaining: "",
      body: "HANDOFF_REQUIRED\nBut then I finished everything.",
    },
    {
      name: "marker inside a sentence on the last line does not count",
      output: "Work.\nI will print HANDOFF_REQUIRED if needed",
      handoff: false,
      remaining: "",
      body: "Work.\nI will print HANDOFF_REQUIRED if needed",
    },
    { name: "marker alone", output: "HANDOFF_REQUIRED", handoff: true, remaining: "", body: "" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(detectHandoff(c.output), { handoff: c.handoff, remaining: c.remaining, body: c.body });
    });
  }
});
