import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/observability/logger.ts";
import { hasUrlCredentials, redactText, redactUrlCredentials } from "../../src/observability/redact.ts";

describe("redactUrlCredentials", () => {
  const cases: Array<[string, string]> = [
    ["http://root:s3cret@arango:8529", "http://root:[redacted]@arango:8529"],
    ["nats://TOKEN123@nats:4222", "nats://[redacted]@nats:4222"],
    ["nats://a:pw1@n1:4222,nats://b:pw2@n2:4222", "nats://a:[redacted]@n1:4222,nats://b:[redacted]@n2:4222"],
    [
      "TypeError: Request cannot be constructed from a URL that includes credentials: http://root:p%40ss@h/_db",
      "TypeError: Request cannot be constructed from a URL that includes credentials: http://root:[redacted]@h/_db",
    ],
    ['{"url":"https://u:pw@host/x","n":1}', '{"url":"https://u:[redacted]@host/x","n":1}'],
    ["http://127.0.0.1:8002/v1/agents/events", "http://127.0.0.1:8002/v1/agents/events"],
    ["mail me at someone@example.com", "mail me at someone@example.com"],
  ];
  for (const [given, expected] of cases) {
    it(`given ${given}, then ${expected}`, () => assert.equal(redactUrlCredentials(given), expected));
  }

  it("given URLs with and without credentials, then hasUrlCredentials tells them apart", () => {
    assert.equal(hasUrlCredentials("http://root:pw@h:8529"), true);
    assert.equal(hasUrlCredentials("http://token@h"), true);
    assert.equal(hasUrlCredentials("http://h:8529"), false);
    assert.equal(hasUrlCredentials("not a url"), false);
  });
});

describe("redactText", () => {
  it("given a secret value inside free text, also JSON-escaped, then it is replaced", () => {
    const secret = 'sk-"quoted"-0123456789';
    const text = `bad key ${secret} and ${JSON.stringify({ k: secret })}`;
    const out = redactText(text, [secret]);
    assert.ok(!out.includes("0123456789"), out);
    assert.match(out, /\[redacted\]/);
  });
});

describe("createLogger", () => {
  it("given secrets in fields, nested headers, error messages and URLs, then none reaches the log line", () => {
    const secret = "sk-live-ABCDEFGH12345678";
    const previous = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = secret;
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    try {
      const log = createLogger("test", "info", sink);
      log.info({ password: "pw-top-level-1", config: { ARANGO_PASSWORD: "pw-nested-22" } }, "fields");
      log.error(
        {
          err: new Error(
            "Request cannot be constructed from a URL that includes credentials: http://root:pw-url-333@h",
          ),
          request: { headers: { authorization: "Bearer bearer-4444" }, auth: { password: "pw-auth-55555" } },
          deep: { call: { headers: { cookie: "session=cookie-666666" } } },
        },
        `calling with ${secret}`,
      );
    } finally {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    }
    assert.equal(out.trim().split("\n").length, 2);
    for (const leaked of [
      "pw-top-level-1",
      "pw-nested-22",
      "pw-url-333",
      "bearer-4444",
      "pw-auth-55555",
      "cookie-666666",
      secret,
    ])
      assert.ok(!out.includes(leaked), `${leaked} leaked: ${out}`);
    assert.match(out, /"msg":"calling with \[redacted\]"/);
    assert.match(out, /http:\/\/root:\[redacted\]@h/);
  });
});
