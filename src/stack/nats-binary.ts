// Find the nats-server binary: on PATH or in the folders Debian and others install it to.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

const EXTRA_DIRS = ["/usr/sbin", "/usr/local/bin", "/usr/bin"];

const INSTALL_HINT =
  "nats-server was not found on PATH nor in /usr/sbin, /usr/local/bin, /usr/bin. " +
  "Install it with `apt-get update && apt-get install -y nats-server`, or run `bash .ci/run`.";

// True when `path` is a regular file this process may execute.
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Returns the absolute path of the nats-server binary, or throws an Error saying how to install it. */
export function findNatsServer(): string {
  const pathDirs = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  for (const dir of [...pathDirs, ...EXTRA_DIRS]) {
    const candidate = join(dir, "nats-server");
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(INSTALL_HINT);
}
