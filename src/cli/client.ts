// The CLI's HTTP client for the gateway: AGENTS_URL (default http://127.0.0.1:${AGENTS_PORT}) with
// AGENTS_API_KEY as bearer; an error answer becomes a CliError with the matching exit code.
import type { Config } from "../config/index.ts";
import { errorMessage } from "../core/errors.ts";
import { CliError, Exit, exitForStatus } from "./exit.ts";

export type GatewayTarget = { url: string; apiKey: string | undefined };

/** Where the gateway answers, from the configuration. */
export function targetFromConfig(config: Config): GatewayTarget {
  const url = (config.AGENTS_URL ?? `http://127.0.0.1:${config.AGENTS_PORT}`).replace(/\/+$/, "");
  return { url, apiKey: config.AGENTS_API_KEY };
}

/** Request headers: JSON, plus the bearer key when one is configured. */
export function headersFor(t: GatewayTarget, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}), ...extra };
}

/** A query string ("?a=1&b=2", or "") from the entries that are set. */
export function query(entries: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

type ErrorShape = {
  error?: { code?: string; message?: string; fields?: Array<{ path: string; message: string }> };
};

/** Call the gateway and return its JSON body; non-2xx answers throw a CliError naming the problem. */
export async function call<T>(
  t: GatewayTarget,
  method: "GET" | "POST",
  path: string,
  o: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${t.url}${path}`, {
      method,
      headers: headersFor(t, {
        ...(o.body === undefined ? {} : { "content-type": "application/json" }),
        ...o.headers,
      }),
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    });
  } catch (err) {
    const cause = errorMessage((err as { cause?: unknown }).cause ?? err);
    throw new CliError(
      `no gateway answers at ${t.url} (${cause}); start one with \`agents up\` or set AGENTS_URL`,
      Exit.Failure,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  const e = (body as ErrorShape | undefined)?.error;
  // Fields the message does not already name, one per line.
  const fields = (e?.fields ?? [])
    .filter((f) => !e?.message?.includes(`${f.path}: `))
    .map((f) => `\n  ${f.path || "(root)"}: ${f.message}`)
    .join("");
  const message = e?.message ? `${e.message}${fields}` : `HTTP ${res.status}: ${text.slice(0, 200)}`;
  throw new CliError(message, exitForStatus(res.status, e?.code), body);
}
