// The shipped nats-server configs (deploy/nats) as nats-server itself reads them (`-t`): valid with
// every password set, refused naming the variable when one is missing; the TLS variant with
// certificates this test makes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_USERS } from "../../src/nats/permissions.ts";
import { passwordVariable } from "../../src/nats/server-config.ts";
import { makeCertificates } from "../support/certs.ts";
import { findNatsServer } from "../support/index.ts";

const SHIPPED = fileURLToPath(new URL("../../deploy/nats/", import.meta.url));

/** `nats-server -c FILE -t`: its exit code and what it said. */
function checkConfig(file: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      findNatsServer(),
      ["-c", file, "-t"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe("the shipped nats-server configuration", () => {
  let dir: string;
  const passwords = Object.fromEntries(DEFAULT_USERS.map((u) => [passwordVariable(u.user), `p${u.user}`]));
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-natsconf-"));
    await makeCertificates(dir);
    // The container's paths (/data, /etc/nats/tls) become this folder; nothing else changes.
    for (const name of await readdir(SHIPPED)) {
      if (!name.endsWith(".conf")) continue;
      const text = (await readFile(join(SHIPPED, name), "utf8"))
        .replaceAll('"/data"', JSON.stringify(join(dir, "js")))
        .replaceAll("/etc/nats/tls/", `${dir}/`);
      await writeFile(join(dir, name), text);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("given every user's password, then nats-server finds nats-server.conf (with auth.conf) valid", async () => {
    const r = await checkConfig(join(dir, "nats-server.conf"), { ...passwords, NATS_SERVER_NAME: "t" });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /is valid/);
  });

  it("given the TLS variant and certificates, then it is valid too", async () => {
    const r = await checkConfig(join(dir, "nats-server-tls.conf"), { ...passwords, NATS_SERVER_NAME: "t" });
    assert.equal(r.code, 0, r.out);
  });

  it("given a missing password, then nats-server refuses to start, naming the variable", async () => {
    const { NATS_CRITIC_PASSWORD: _, ...rest } = passwords;
    const r = await checkConfig(join(dir, "nats-server.conf"), { ...rest, NATS_SERVER_NAME: "t" });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /NATS_CRITIC_PASSWORD/);
  });
});
