// Whether a program can be found on PATH (or is an executable path itself).
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** True when `command` is an executable path, or an executable of that name is on PATH. */
export function isOnPath(command: string): boolean {
  const candidates =
    isAbsolute(command) || command.includes("/")
      ? [command]
      : (process.env.PATH ?? "")
          .split(delimiter)
          .filter(Boolean)
          .map((d) => join(d, command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
