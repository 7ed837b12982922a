// Shared table runner for the validator specs: given a response and a spec, when the validator
// runs, then it passes or fails, and a failure says what is wrong and how to fix it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runValidation, type ValidationSpec } from "../../src/validation/index.ts";

export type Case = {
  name: string;
  spec: ValidationSpec;
  response: string;
  valid: boolean;
  /** The error must match this when the case is invalid. */
  error?: RegExp;
};

/** A response with prose around one fenced block, as models usually answer. */
export const fence = (lang: string, body: string): string =>
  `Here you go:\n\n\`\`\`${lang}\n${body}\n\`\`\`\n`;

/** Registers one test per case, run through the registry so names and aliases are covered. */
export function runCases(suite: string, cases: Case[]): void {
  describe(suite, () => {
    for (const c of cases) {
      it(`${c.spec.type}: ${c.name} → ${c.valid ? "valid" : "invalid"}`, async () => {
        const result = await runValidation(c.response, c.spec, {});
        assert.equal(result.valid, c.valid, `unexpected result: ${JSON.stringify(result)}`);
        if (!c.valid) {
          assert.match(result.error ?? "", c.error ?? /./);
          assert.ok((result.suggestions ?? []).length > 0, "a failure carries suggestions");
        }
      });
    }
  });
}
