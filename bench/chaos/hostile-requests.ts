// The hostile HTTP requests the gateway must answer without a 5xx: malformed and wrong-typed JSON,
// schema violations (flag-like model names among them), bodies over the limit, bad ids and queries,
// wrong keys, unknown routes and methods. `hostile` requests must also never be accepted (2xx).

export type HostileRequest = {
  kind: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Must be refused (4xx); a 2xx means something bad got through. */
  hostile: boolean;
  /** Send without the valid key (the key check itself is under test). */
  noKey?: boolean;
};

const JSON_TYPE = { "content-type": "application/json" };
const ok = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ spec: "Hostile HTTP: one line.\nCHAOS: sleep 100 300", count: 1, ...extra });

const MALFORMED = [
  "{",
  "not json",
  '{"spec":',
  '{"spec":"x","count":1}}',
  "[".repeat(5_000),
  `{"a":${"[".repeat(2_000)}`,
  "",
  "null",
  "[]",
  '"a string"',
  "1e999",
  "\u0000\u0001\u0002",
  '{"spec":"x","count":1,"spec":"again"',
  '{"__proto__":{"polluted":true},"spec":"x","count":1}',
  '{"constructor":{"prototype":{"polluted":true}},"spec":"x","count":1}',
];

const INVALID = [
  { count: -1 },
  { count: "many" },
  { count: 1.5 },
  { count: 1e9 },
  { spec: "" },
  { spec: "   " },
  { spec: 42 },
  { spec: "x".repeat(250_000) },
  { extra_field: true },
  { model: "--dangerously-skip-permissions" },
  { model: "-p" },
  { model: "--model=opus" },
  { model: "sonnet --dangerously-skip-permissions" },
  { model: "m".repeat(1_000) },
  { model: "" },
  { fallback_models: ["--print"] },
  { fallback_models: Array.from({ length: 50 }, (_, i) => `m${i}`) },
  { validation: Array.from({ length: 100 }, () => ({ type: "not_empty" })) },
  { validation: [{ type: "no_such_validator" }] },
  { validation: "regex" },
  { priority: 1e9 },
  { budget_usd: -1 },
  { timeout_ms: 0 },
  { max_attempts: 1_000 },
  { queue: "critic" },
  { metadata: { nested: { deep: true } } },
  { idempotency_key: "k".repeat(1_000) },
];

/** The kind of the requests whose validators' params are wrong (counted apart: a known gap). */
export const BAD_PARAMS_KIND = "validator params";
const BAD_PARAMS: Array<Record<string, unknown>> = [
  { validation: [{ type: "regex" }] },
  { validation: [{ type: "regex", params: { pattern: "(" } }] },
  { validation: [{ type: "length", params: { min_length: "many" } }] },
];

const BAD_IDS = [
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "a".repeat(5_000),
  "%F0%9F%92%A5",
  "'%20OR%201%3D1%20--",
  "-",
  "%ff%fe",
  "id%20with%20space",
  "%3Cscript%3E",
  "j".repeat(300),
];

const BAD_QUERIES = [
  "/v1/agents/quality?limit=-5",
  "/v1/agents/quality?limit=abc",
  "/v1/agents/result/jnotthere?page_size=-1",
  "/v1/agents/result/jnotthere?page_size=abc",
  "/v1/agents/result/jnotthere?partial=maybe",
  "/v1/agents/jobs/jnotthere/tasks?limit=1e9",
  "/v1/agents/events?job=../../x",
  "/v1/agents/events?last_event_id=-1",
  "/v1/agents/events?last_event_id=abc",
];

const WRONG_KEYS: Array<Record<string, string>> = [
  {},
  { authorization: "Bearer wrong-key-0123456789abcdef" },
  { authorization: "Basic dXNlcjpwYXNzd29yZA==" },
  { authorization: `Bearer ${"k".repeat(10_000)}` },
  { authorization: "Bearer" },
  { authorization: "Bearer a b c" },
  { "x-api-key": "wrong-key-0123456789abcdef" },
];

const ROUTES: Array<[string, string]> = [
  ["DELETE", "/v1/agents/submit"],
  ["PUT", "/v1/agents/queues"],
  ["PATCH", "/v1/agents/status/x"],
  ["GET", "/v1/agents/../../../etc/passwd"],
  ["GET", "/%2e%2e/%2e%2e/etc/passwd"],
  ["GET", "/v1/agents/submit"],
  ["POST", "/v1/agents/queues"],
  ["GET", "/v1/nothing/here"],
  ["GET", `/${"p/".repeat(2_000)}`],
];

/** The catalogue, built once: every kind of hostile request, plus a few valid ones. */
function catalogue(): HostileRequest[] {
  const out: HostileRequest[] = [];
  for (const body of MALFORMED)
    out.push({
      kind: "malformed json",
      method: "POST",
      path: "/v1/agents/submit",
      headers: JSON_TYPE,
      body,
      hostile: true,
    });
  for (const ct of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "multipart/form-data; boundary=x",
  ])
    out.push({
      kind: "wrong content type",
      method: "POST",
      path: "/v1/agents/submit",
      headers: { "content-type": ct },
      body: ok(),
      hostile: true,
    });
  // Params a validator cannot run with: only its own schema knows, so the gateway must ask it.
  for (const fields of BAD_PARAMS)
    out.push({
      kind: BAD_PARAMS_KIND,
      method: "POST",
      path: "/v1/agents/submit",
      headers: JSON_TYPE,
      body: ok(fields),
      hostile: true,
    });
  for (const fields of INVALID)
    out.push({
      kind: "schema violation",
      method: "POST",
      path: "/v1/agents/submit",
      headers: JSON_TYPE,
      body: ok(fields),
      hostile: true,
    });
  for (const id of BAD_IDS) {
    out.push({ kind: "bad id", method: "GET", path: `/v1/agents/status/${id}`, hostile: true });
    out.push({ kind: "bad id", method: "GET", path: `/v1/agents/result/${id}`, hostile: true });
    out.push({ kind: "bad id", method: "GET", path: `/v1/agents/jobs/${id}/tasks`, hostile: true });
    out.push({
      kind: "bad id",
      method: "POST",
      path: `/v1/agents/${id}/cancel`,
      headers: JSON_TYPE,
      body: "{}",
      hostile: true,
    });
  }
  out.push({
    kind: "bad body",
    method: "POST",
    path: "/v1/agents/jnotthere/cancel",
    headers: JSON_TYPE,
    body: '{"reason":123}',
    hostile: true,
  });
  out.push({
    kind: "bad body",
    method: "POST",
    path: "/v1/agents/control/stop",
    headers: JSON_TYPE,
    body: '{"reason":"x","extra":1}',
    hostile: true,
  });
  out.push({
    kind: "bad body",
    method: "POST",
    path: "/v1/agents/control/resume",
    headers: JSON_TYPE,
    body: "[",
    hostile: true,
  });
  for (const path of BAD_QUERIES) out.push({ kind: "bad query", method: "GET", path, hostile: true });
  for (const headers of WRONG_KEYS) {
    out.push({
      kind: "wrong key",
      method: "POST",
      path: "/v1/agents/submit",
      headers: { ...JSON_TYPE, ...headers },
      body: ok(),
      hostile: true,
      noKey: true,
    });
    out.push({
      kind: "wrong key",
      method: "GET",
      path: "/v1/agents/queues",
      headers,
      hostile: true,
      noKey: true,
    });
  }
  for (const [method, path] of ROUTES) out.push({ kind: "unknown route", method, path, hostile: true });
  // Probes and reads that must keep answering while all of the above goes on.
  // Unknown query parameters are ignored, as HTTP servers do.
  const reads = ["/health", "/ready", "/metrics", "/v1/agents/queues", "/openapi.json"];
  for (const path of [...reads, `/v1/agents/queues?x=${"q".repeat(10_000)}`, "/v1/agents/costs?since=x"])
    out.push({ kind: "valid read", method: "GET", path, hostile: false });
  return out;
}

/** A body over the 1 MB limit (2 MB of JSON). */
export const HUGE: HostileRequest = {
  kind: "huge body",
  method: "POST",
  path: "/v1/agents/submit",
  headers: JSON_TYPE,
  body: JSON.stringify({ spec: "h".repeat(2_000_000), count: 1 }),
  hostile: true,
};

/** A valid submission (it becomes a job the stack runs). */
export const VALID_SUBMIT: HostileRequest = {
  kind: "valid submit",
  method: "POST",
  path: "/v1/agents/submit",
  headers: JSON_TYPE,
  body: ok(),
  hostile: false,
};

const CATALOGUE = catalogue();

/** The i-th request of a run: the catalogue round-robin, a huge body every 100th, a valid submit every 250th. */
export function hostileRequest(i: number): HostileRequest {
  if (i % 100 === 99) return HUGE;
  if (i % 250 === 124) return VALID_SUBMIT;
  return CATALOGUE[i % CATALOGUE.length] as HostileRequest;
}
