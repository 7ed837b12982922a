// Certificates a test makes with openssl: a CA, a server certificate for 127.0.0.1 and localhost,
// and a client certificate, all signed by the CA (EC P-256, valid two days).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Write ca.crt/key, server.crt/key and client.crt/key into `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const f = (name: string) => join(dir, name);
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=agents test CA",
  ]);
  await writeFile(
    f("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await writeFile(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const who of ["server", "client"]) {
    await run("openssl", [
      "req",
      ...ec,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
      "-subj",
      `/CN=agents ${who}`,
    ]);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.crt"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f(`${who}.crt`),
      "-days",
      "2",
      "-extfile",
      f(`${who}.ext`),
    ]);
  }
}
