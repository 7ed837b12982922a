// The dashboard's session tokens and the cross-site guard, as tables: given a token or a request,
// when checked, then accepted or refused (with the reason).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostName, refusal } from "../../../src/gateway/web/guard.ts";
import { SESSION_TTL_MS, sessionToken, verifySession } from "../../../src/gateway/web/session.ts";

const KEY = "a-key-of-sixteen-chars";
const NOW = Date.UTC(2026, 0, 1);

describe("dashboard session tokens", () => {
  it("given a token made with the key, when verified before it expires, then its expiry comes back", () => {
    const token = sessionToken(KEY, NOW + 1000);
    assert.equal(verifySession(KEY, token, NOW), NOW + 1000);
    assert.ok(!token.includes(KEY), "the token is not the key");
  });

  it("given expired, tampered, foreign or malformed tokens, when verified, then each is refused", () => {
    const good = sessionToken(KEY, NOW + 1000);
    const [expiry, mac] = good.split(".");
    for (const [why, token] of [
      ["expired", sessionToken(KEY, NOW - 1)],
      ["another key", sessionToken("another-key-of-16-chars", NOW + 1000)],
      ["expiry moved", `${Number(expiry) + 1}.${mac}`],
      ["mac changed", `${expiry}.${mac?.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`],
      ["longer than a session", sessionToken(KEY, NOW + SESSION_TTL_MS + 60_000)],
      ["not a token", "hello"],
      ["empty", ""],
    ] as const)
      assert.equal(verifySession(KEY, token, NOW), null, why);
    assert.equal(verifySession(KEY, undefined, NOW), null);
  });
});

describe("cross-site guard", () => {
  const req = (method: string, headers: Record<string, string>) => ({ method, headers });

  it("given host names, then the port is dropped and IPv6 brackets kept", () => {
    assert.deepEqual(["127.0.0.1:8002", "localhost", "[::1]:8002", "example.com:80"].map(hostName), [
      "127.0.0.1",
      "localhost",
      "[::1]",
      "example.com",
    ]);
  });

  it("given requests, when checked, then only cross-site writes and rebinding hosts are refused", () => {
    const host = { host: "127.0.0.1:8002" };
    const cases: Array<[string, ReturnType<typeof req>, boolean, boolean]> = [
      ["a read from anywhere", req("GET", { ...host, "sec-fetch-site": "cross-site" }), true, false],
      ["curl (no browser headers)", req("POST", host), true, false],
      [
        "the dashboard itself",
        req("POST", { ...host, origin: "http://127.0.0.1:8002", "sec-fetch-site": "same-origin" }),
        true,
        false,
      ],
      [
        "another site",
        req("POST", { ...host, origin: "https://evil.example", "sec-fetch-site": "cross-site" }),
        true,
        true,
      ],
      [
        "another port of this host",
        req("POST", { ...host, origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-site" }),
        true,
        true,
      ],
      [
        "an old browser without fetch metadata",
        req("POST", { ...host, origin: "https://evil.example" }),
        true,
        true,
      ],
      ["an opaque origin", req("POST", { ...host, origin: "null" }), true, true],
      ["a rebinding host in local mode", req("GET", { host: "evil.example:8002" }), true, true],
      ["any host outside local mode", req("GET", { host: "agents.internal:8002" }), false, false],
    ];
    for (const [what, r, local, refused] of cases) assert.equal(refusal(r, local) !== null, refused, what);
    assert.match(refusal(req("GET", { host: "evil.example" }), true) ?? "", /loopback host names/);
  });
});
