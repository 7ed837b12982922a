// A nats-server started with the shipped users and permissions (deploy/nats/auth.conf), each
// user's password set in the server's environment as the shipped config expects.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectOptions } from "../../src/nats/connect-options.ts";
import { DEFAULT_USERS } from "../../src/nats/permissions.ts";
import { passwordVariable } from "../../src/nats/server-config.ts";
import { type NatsServerHandle, startNatsServer } from "./nats-server.ts";

export const SHIPPED_AUTH_CONF = fileURLToPath(new URL("../../deploy/nats/auth.conf", import.meta.url));

/** A permissions violation the server logged: who, publish or subscription, on which subject. */
export type Violation = { user: string; kind: "Publish" | "Subscription"; subject: string };

export type SecuredNats = {
  nats: NatsServerHandle;
  /** The environment an actor process of this user gets (NATS_URL, NATS_USER, NATS_PASSWORD). */
  envFor(user: string): Record<string, string>;
  /** A user's credentials as configuration (NATS_USER, NATS_PASSWORD). */
  access(user: string): NatsAccess;
  /** Connect as a user, the way processes do (natsConnectOptions: credentials and inbox prefix). */
  connectAs(user: string, extra?: Partial<NatsAccess>): Promise<NatsConnection>;
  /** The violations the server logged so far. */
  violations(): Violation[];
  stop(): Promise<void>;
};

/** Start a server with the shipped auth config, or `config` (a file that includes a copy of it). */
export async function startSecuredNats(o: { config?: string } = {}): Promise<SecuredNats> {
  // The server parses an environment value as a config value: a password must start with a letter.
  const passwords = new Map(DEFAULT_USERS.map((u) => [u.user, `p${randomBytes(12).toString("hex")}`]));
  const env = Object.fromEntries([...passwords].map(([user, pw]) => [passwordVariable(user), pw]));
  const nats = await startNatsServer({ args: ["-c", o.config ?? SHIPPED_AUTH_CONF], env });
  const url = nats.url;
  const password = (user: string) => {
    const pw = passwords.get(user);
    if (!pw) throw new Error(`no user ${user} in the shipped config`);
    return pw;
  };
  return {
    nats,
    envFor: (user) => ({ NATS_URL: url, NATS_USER: user, NATS_PASSWORD: password(user) }),
    access: (user) => ({ NATS_USER: user, NATS_PASSWORD: password(user) }),
    connectAs: (user, extra = {}) =>
      connect({
        servers: url,
        ...natsConnectOptions({ NATS_USER: user, NATS_PASSWORD: password(user), ...extra }),
      }),
    violations: () =>
      [...nats.logs().matchAll(/(Publish|Subscription) Violation - User "([^"]+)", Subject "([^"]+)"/g)].map(
        (m) => ({ kind: m[1] as Violation["kind"], user: m[2] ?? "", subject: m[3] ?? "" }),
      ),
    stop: () => nats.stop(),
  };
}
