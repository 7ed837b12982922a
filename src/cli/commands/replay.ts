// `agents replay [--json]`: rebuild the projections from stream sequence 1. The embedded store lives
// in memory and is rebuilt at every start, so there is nothing to do; ArangoDB is reset and replayed.
// Once retention removed the stream's first events, the rebuild starts from the newest projections
// snapshot (the only place those events still count) and folds the events after it.
import { loadConfig } from "../../config/index.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats } from "../../nats/index.ts";
import { createLogger } from "../../observability/logger.ts";
import { ProjectionRunner, type ReplayProgress } from "../../projections/index.ts";
import { projectionSnapshots, storeFromConfig } from "../../stack/projections.ts";
import { parseCommand } from "../args.ts";
import { Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

function line(p: ReplayProgress): string {
  const pct = p.total > 0 ? ((100 * p.applied) / p.total).toFixed(1) : "100.0";
  return `replay: ${p.applied}/${p.total} messages (${pct}%), sequence ${p.seq}, ${Math.round(p.events_per_sec)} events/s`;
}

/** Reset and replay ArangoDB; explain the embedded store's rebuild-at-start. */
export async function runReplay(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { json: { type: "boolean", default: false } },
    "usage: agents replay [--json]",
  );
  if (positionals.length > 0) throw usage("usage: agents replay [--json]");
  const config = loadConfig();
  if (!config.ARANGO_URL) {
    const message =
      "the embedded projection store keeps nothing on disk: it is rebuilt at every start of `agents up` / " +
      "`agents gateway`, from the newest projections snapshot plus the events after it (or from the stream's " +
      "first event). Restart it to rebuild; set ARANGO_URL to replay into ArangoDB.";
    if (values.json) printJson({ store: "embedded", replayed: false, message });
    else process.stdout.write(`${message}\n`);
    return Exit.Ok;
  }
  const log = createLogger("replay", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-replay", natsConnectOptions(config));
  const { store } = await storeFromConfig(config);
  try {
    process.stderr.write(
      "replay: resetting ArangoDB projections; stop other gateways (their followers write to the same store) first\n",
    );
    const runner = new ProjectionRunner({ nc, store, log, snapshots: await projectionSnapshots(nc, log) });
    const done = await runner.replay({
      progressEvery: 1000,
      onProgress: (p) => {
        if (!values.json) process.stdout.write(`${line(p)}\n`);
      },
    });
    if (values.json) printJson({ store: "arangodb", replayed: true, ...done });
    else {
      if (done.snapshot_seq !== null)
        process.stdout.write(
          `replay: the stream starts at sequence ${done.first_seq} (retention); started from the projections snapshot at sequence ${done.snapshot_seq}\n`,
        );
      else if (done.first_seq > 1)
        process.stdout.write(
          `replay: WARNING the stream starts at sequence ${done.first_seq} (retention) and no snapshot covers the events before it: the projections hold only what is left\n`,
        );
      process.stdout.write(`replay done in ${(done.elapsed_ms / 1000).toFixed(1)} s: ${line(done)}\n`);
    }
  } finally {
    await store.close();
    await nc.close();
  }
  return Exit.Ok;
}
