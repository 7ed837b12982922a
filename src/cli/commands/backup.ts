// `agents backup DIR [--json]` and `agents restore DIR [--json]`: snapshot every stream of the system
// into DIR, or restore them into a server that has none of them. Progress goes to stderr.
import { parseArgs } from "node:util";
import { loadConfig } from "../../config/index.ts";
import { AgentsError, errorMessage } from "../../core/errors.ts";
import { Subjects } from "../../core/events/index.ts";
import { type BackupProgress, backup, type Manifest, restore } from "../../nats/backup.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { type Connection, connectNats, StreamReader } from "../../nats/index.ts";
import { CliError, Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
/** Byte progress is said at most this often (ms). */
const PROGRESS_EVERY_MS = 1000;

const mib = (bytes: number) =>
  bytes < MiB ? `${(bytes / KiB).toFixed(1)} KiB` : `${(bytes / MiB).toFixed(1)} MiB`;

/** A progress reporter writing lines like `backup: AGENTS: 12.0 MiB`, at most once a second per stream. */
function reporter(verb: "backup" | "restore"): (p: BackupProgress) => void {
  let said = 0;
  return (p) => {
    switch (p.kind) {
      case "stream":
        said = Date.now();
        process.stderr.write(`${verb}: ${p.stream}: ${p.messages} messages, ${mib(p.bytes)} stored\n`);
        break;
      case "bytes":
        if (Date.now() - said < PROGRESS_EVERY_MS) return;
        said = Date.now();
        process.stderr.write(
          `${verb}: ${p.stream}: ${mib(p.bytes)} ${verb === "backup" ? "received" : "sent"}\n`,
        );
        break;
      case "done":
        process.stderr.write(`${verb}: ${p.stream} done: ${mib(p.bytes)} in ${(p.ms / 1000).toFixed(1)} s\n`);
        break;
      default: {
        const never: never = p;
        return never;
      }
    }
  };
}

/** Run `agents backup` or `agents restore`. */
export async function runBackupCommand(verb: "backup" | "restore", args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false } },
  });
  const [dir, ...rest] = positionals;
  if (!dir || rest.length > 0) throw usage(`usage: agents ${verb} DIR [--json]`);
  const config = loadConfig();
  const access = natsConnectOptions(config);
  const nc = await connectNats(config.NATS_URL, `agents-${verb}`, access).catch((err: unknown) => {
    throw new CliError(`cannot reach NATS at ${config.NATS_URL}: ${errorMessage(err)}`, Exit.Failure);
  });
  let manifest: Manifest;
  try {
    const o = { onProgress: reporter(verb), inboxPrefix: access.inboxPrefix };
    if (verb === "backup") {
      await warnIfRunning(nc);
      manifest = await backup(nc, dir, o);
    } else manifest = await restore(nc, dir, o);
  } catch (err) {
    if (err instanceof AgentsError) throw new CliError(`${verb}: ${err.message}`, Exit.Failure);
    throw err;
  } finally {
    await nc.close();
  }
  if (values.json) printJson(manifest);
  else {
    const events = manifest.streams[0];
    process.stdout.write(
      `${verb === "backup" ? "backed up" : "restored"} ${manifest.streams.length} streams ${verb === "backup" ? "into" : "from"} ${dir}` +
        (events ? ` (${events.name}: ${events.messages} messages up to sequence ${events.last_seq})` : "") +
        "\n",
    );
  }
  return Exit.Ok;
}

/**
 * Streams are snapshotted one after another, so a running system can move between them (a task
 * queued in the events whose work item is not in the work snapshot yet). An emergency stop first
 * makes the backup consistent; say so when none is in force.
 */
async function warnIfRunning(nc: Connection): Promise<void> {
  const reader = new StreamReader(nc);
  const [stop, resume] = await Promise.all([
    reader.lastSequence(Subjects.controlStop).catch(() => 0),
    reader.lastSequence(Subjects.controlResume).catch(() => 0),
  ]);
  if (stop > resume) return;
  process.stderr.write(
    "backup: the system is not stopped: work that moves during the backup may be caught between two " +
      "streams. For a consistent backup run `agents stop` first and `agents resume` after.\n",
  );
}
