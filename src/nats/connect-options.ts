// How a process authenticates to NATS and encrypts the connection, from the configuration: at most
// one kind of credentials (user and password, token, nkey seed file, creds file), TLS when any
// NATS_TLS_* variable is set, and the reply-subject prefix the server lets this user subscribe to.
import { readFileSync } from "node:fs";
import {
  type ConnectionOptions,
  credsAuthenticator,
  nkeyAuthenticator,
  type TlsOptions,
} from "@nats-io/transport-node";
import type { Config } from "../config/index.ts";
import { ConfigError } from "../core/errors.ts";

/** The NATS part of the configuration (a Config satisfies it). */
export type NatsAccess = Pick<
  Config,
  | "NATS_USER"
  | "NATS_PASSWORD"
  | "NATS_TOKEN"
  | "NATS_NKEY_SEED_FILE"
  | "NATS_CREDS_FILE"
  | "NATS_INBOX_PREFIX"
  | "NATS_TLS_CA_FILE"
  | "NATS_TLS_CERT_FILE"
  | "NATS_TLS_KEY_FILE"
>;

/** The inbox prefix of a user: `_INBOX.<user>` (what the generated server config allows it). */
export function inboxPrefixFor(user: string): string {
  return `_INBOX.${user}`;
}

/** Connect options for credentials, TLS and the inbox prefix; empty for an open local server. */
export function natsConnectOptions(c: NatsAccess): Partial<ConnectionOptions> {
  const o: Partial<ConnectionOptions> = {};
  if (c.NATS_USER !== undefined && c.NATS_PASSWORD !== undefined) {
    o.user = c.NATS_USER;
    o.pass = c.NATS_PASSWORD;
  }
  if (c.NATS_TOKEN !== undefined) o.token = c.NATS_TOKEN;
  if (c.NATS_NKEY_SEED_FILE !== undefined) {
    const seed = readSecretFile("NATS_NKEY_SEED_FILE", c.NATS_NKEY_SEED_FILE);
    o.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed.trim()));
  }
  if (c.NATS_CREDS_FILE !== undefined) {
    o.authenticator = credsAuthenticator(
      new TextEncoder().encode(readSecretFile("NATS_CREDS_FILE", c.NATS_CREDS_FILE)),
    );
  }
  const inbox = c.NATS_INBOX_PREFIX ?? (c.NATS_USER ? inboxPrefixFor(c.NATS_USER) : undefined);
  if (inbox) o.inboxPrefix = inbox;
  const tls = tlsOptions(c);
  if (tls) o.tls = tls;
  return o;
}

/** TLS file options when any NATS_TLS_* variable is set (the client then requires TLS). */
function tlsOptions(c: NatsAccess): TlsOptions | undefined {
  if (!c.NATS_TLS_CA_FILE && !c.NATS_TLS_CERT_FILE && !c.NATS_TLS_KEY_FILE) return undefined;
  const files: Array<[string, string | undefined]> = [
    ["NATS_TLS_CA_FILE", c.NATS_TLS_CA_FILE],
    ["NATS_TLS_CERT_FILE", c.NATS_TLS_CERT_FILE],
    ["NATS_TLS_KEY_FILE", c.NATS_TLS_KEY_FILE],
  ];
  // Checked here, so a wrong path is a clear error naming its variable, not a TLS handshake failure.
  for (const [name, path] of files) if (path !== undefined) readSecretFile(name, path);
  return {
    ...(c.NATS_TLS_CA_FILE ? { caFile: c.NATS_TLS_CA_FILE } : {}),
    ...(c.NATS_TLS_CERT_FILE ? { certFile: c.NATS_TLS_CERT_FILE } : {}),
    ...(c.NATS_TLS_KEY_FILE ? { keyFile: c.NATS_TLS_KEY_FILE } : {}),
  };
}

/** A file's text, or a ConfigError naming the variable and the path (never the content). */
function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${variable}=${JSON.stringify(path)}: cannot read the file (${code})`);
  }
}
